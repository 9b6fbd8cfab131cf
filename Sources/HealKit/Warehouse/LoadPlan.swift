import Foundation

/// A column of an existing warehouse table, as the warehouse declares it.
public struct TableColumn: Sendable, Equatable {
    public var name: String
    public var declared: String
    public var nullable: Bool
    public var primaryKey: Bool

    public init(name: String, declared: String, nullable: Bool, primaryKey: Bool = false) {
        self.name = name
        self.declared = declared
        self.nullable = nullable
        self.primaryKey = primaryKey
    }
}

/// What one load writes and what it changes, decided before a row is written, the same for both warehouses:
/// the contract's columns (and the transform's) define the table; the load skill's `SchemaPolicy` says what
/// happens to a file's other columns, to optional columns the file lacks, and to a type the table cannot hold.
struct LoadPlan {
    /// One table column the load writes: from the data column at `source`, or NULL when `source` is nil.
    struct Write {
        var name: String
        var source: Int?
        /// How the data's text parses (its contract type and formats).
        var spec: ColumnSpec
        /// The table column's type: what the value is written as.
        var type: ColumnType
        /// A timestamp column of instants: values are written in UTC.
        var instants: Bool
        /// Digits after the point the table's decimal holds; a value with more fails the load, never rounds.
        var scale: Int?
    }

    var create: [ColumnSpec]?
    var additions: [ColumnSpec] = []
    var widenings: [(name: String, to: ColumnSpec)] = []
    var writes: [Write] = []
    /// File columns outside the contract that `new_columns: ignore` left out.
    var ignored: [String] = []
    /// Table columns this data has no value for: written NULL.
    var nulled: [String] = []
    /// Table columns narrower than the contract (text holding dates): loaded as they are, with a migrate hint.
    var narrower: [String] = []
    var changes: [SchemaChange] = []

    /// Throws `schema_mismatch` naming the setting or the `heal table migrate` command that resolves the state.
    init(_ request: LoadRequest, existing: [TableColumn]?, dialect: SQLDialect) throws {
        let data = request.columns
        let index = Dictionary(data.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { first, _ in first })
        let fix = "heal table migrate \(request.pipeline)"
        let settings = "skills/\(request.loadSkill).yml"
        let extras = data.filter { $0.origin == .file }
        let missing = request.contract.filter { index[$0.name] == nil && !TableSQL.bookkeeping.contains($0.name) }
        if request.policy.missingColumns == .fail && !missing.isEmpty {
            throw SkillFailure(
                .schemaMismatch,
                "the file has no \(Text.names(missing.map(\.name))), optional in the contract (missing_columns: fail in \(settings)); nothing was loaded"
            )
        }
        // The contract's columns, the transform's, and (evolving) the file's others typed from their values.
        var wanted = data.filter { $0.origin != .file } + missing
        let typedExtras = extras.map { request.inferred[$0.name] ?? $0 }

        guard let existing else {
            switch request.policy.newColumns {
            case .ignore: ignored = extras.map(\.name)
            case .evolve: wanted += typedExtras
            case .fail: try Self.refuseNew(extras, settings: settings)
            }
            create = wanted
            writes = wanted.map {
                Write(name: $0.name, source: index[$0.name], spec: $0, type: $0.type, instants: $0.keepsOffset, scale: $0.scale)
            }
            changes = [
                SchemaChange(
                    kind: .created,
                    column: request.table,
                    to: wanted.map { "\($0.name) \(dialect.declare($0))" }.joined(separator: ", ")
                )
            ]
            return
        }

        let table = Dictionary(existing.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var refusedNew: [ColumnSpec] = []
        for extra in typedExtras {
            switch request.policy.newColumns {
            case .ignore: ignored.append(extra.name)
            case .evolve: wanted.append(extra)
            case .fail: if table[extra.name] != nil { wanted.append(extra) } else { refusedNew.append(extra) }
            }
        }
        if !refusedNew.isEmpty { try Self.refuseNew(refusedNew, settings: settings) }

        var retypes: [String] = []
        for column in wanted {
            let source = column.origin?.described ?? "in the data"
            guard let current = table[column.name] else {
                additions.append(column)
                changes.append(
                    SchemaChange(kind: .added, column: column.name, to: dialect.declare(column), source: column.origin?.described)
                )
                writes.append(
                    Write(
                        name: column.name,
                        source: index[column.name],
                        spec: column,
                        type: column.type,
                        instants: column.keepsOffset,
                        scale: column.scale
                    )
                )
                continue
            }
            if index[column.name] == nil {
                // An optional column this file lacks: NULL fits any type, so the table's type is not in question.
                writes.append(
                    Write(
                        name: column.name,
                        source: nil,
                        spec: column,
                        type: dialect.healType(current.declared) ?? .string,
                        instants: false,
                        scale: nil
                    )
                )
                continue
            }
            guard let held = dialect.healType(current.declared) else {
                throw SkillFailure(
                    .schemaMismatch,
                    "\(request.table).\(column.name) is \(current.declared), a type heal does not write; run `\(fix) --retype \(column.name)` to make it \(column.type.rawValue) (\(source)); nothing was loaded"
                )
            }
            var scale = Self.scale(of: current.declared)
            let instants = dialect.holdsInstants(current.declared)
            if held.holds(column.type) && Self.fits(column, scale: scale) {
                if held != column.type && !(held == .integer && column.type == .boolean) {
                    narrower.append(
                        "\(column.name) is \(current.declared) in \(request.table) but \(column.type.rawValue) \(source): `\(fix) --retype \(column.name)` makes it \(dialect.declare(column))"
                    )
                }
                writes.append(
                    Write(name: column.name, source: index[column.name], spec: column, type: held, instants: instants, scale: scale)
                )
                continue
            }
            guard request.policy.typeChanges == .widen else {
                retypes.append(
                    "\(request.table).\(column.name) is \(current.declared) but the data's \(column.name) (\(source)) is \(column.type.rawValue)\(column.scale.map { " with \($0) digits after the point" } ?? "")"
                )
                continue
            }
            var target = column
            target.type = held.widened(with: column.type)
            if target.type == .decimal {
                target.scale = scale.flatMap { s in column.scale.map { max(s, $0) } }
            }
            scale = target.type == .decimal ? target.scale : nil
            widenings.append((column.name, target))
            changes.append(
                SchemaChange(
                    kind: .widened,
                    column: column.name,
                    from: current.declared,
                    to: dialect.declare(target),
                    source: column.origin?.described
                )
            )
            writes.append(
                Write(
                    name: column.name,
                    source: index[column.name],
                    spec: column,
                    type: target.type,
                    instants: target.keepsOffset || instants,
                    scale: scale
                )
            )
        }
        if !retypes.isEmpty {
            throw SkillFailure(
                .schemaMismatch,
                "\(retypes.joined(separator: "; ")); heal never retypes a column silently: run `\(fix) --retype COLUMN` (a checked cast of every row) or set type_changes: widen in \(settings); nothing was loaded"
            )
        }
        let written = Set(writes.map(\.name))
        for column in existing where !written.contains(column.name) && !TableSQL.bookkeeping.contains(column.name) {
            guard column.nullable else {
                throw SkillFailure(
                    .schemaMismatch,
                    "\(request.table).\(column.name) is NOT NULL but this data has no \(column.name); run `\(fix) --drop \(column.name)` if the column is no longer wanted, or restore it at the source; nothing was loaded"
                )
            }
            if !ignored.contains(column.name) { nulled.append(column.name) }
            writes.append(
                Write(
                    name: column.name,
                    source: nil,
                    spec: ColumnSpec(name: column.name),
                    type: dialect.healType(column.declared) ?? .string,
                    instants: false,
                    scale: nil
                )
            )
        }
    }

    static func refuseNew(_ columns: [ColumnSpec], settings: String) throws {
        guard !columns.isEmpty else { return }
        throw SkillFailure(
            .schemaMismatch,
            "the file has column\(columns.count > 1 ? "s" : "") \(Text.names(columns.map(\.name))) outside the contract (new_columns: fail in \(settings)): add \(columns.count > 1 ? "them" : "it") to the contract, or set new_columns: ignore or evolve; nothing was loaded"
        )
    }

    /// `numeric(18,2)` → 2; nil for an unconstrained numeric or any other type.
    static func scale(of declared: String) -> Int? {
        guard let open = declared.firstIndex(of: "("), let comma = declared.firstIndex(of: ","), let close = declared.firstIndex(of: ")"),
            open < comma, comma < close
        else { return nil }
        return Int(declared[declared.index(after: comma)..<close].trimmingCharacters(in: .whitespaces))
    }

    /// A decimal column fits a table decimal of `scale` when the contract promises no more digits after the point;
    /// a contract without a scale is checked value by value as the rows are written.
    static func fits(_ column: ColumnSpec, scale: Int?) -> Bool {
        guard column.type == .decimal, let scale, let wanted = column.scale else { return true }
        return wanted <= scale
    }

    /// What the run's details say besides the rows: the schema changes and the columns left out or NULL.
    var notes: [String] {
        var out = changes.filter { $0.kind != .created }.map { "schema change: \($0.summary)" }
        if !ignored.isEmpty { out.append("not loaded (outside the contract, new_columns: ignore): \(ignored.joined(separator: ", "))") }
        if !nulled.isEmpty { out.append("NULL (not in this data): \(nulled.joined(separator: ", "))") }
        out += narrower
        return out
    }
}
