import Foundation

/// A pipeline's table as heal sees it against the contract, for `heal table describe` and `heal table migrate`.
public struct TableDescription: Sendable, Encodable {
    public enum State: String, Sendable, Encodable {
        /// The table's type is the contract's.
        case ok
        /// The table's type holds the contract's values as a wider type (dates as text): `--retype` tightens it.
        case narrower
        /// The table's type cannot hold the contract's values: the next load fails until it is migrated.
        case conflict
        /// A table column the contract does not have: loads leave it NULL (or fill it, with new_columns: evolve).
        case extra
        /// A contract column the table lacks: the next load adds it.
        case missing
    }

    public struct Column: Sendable, Encodable {
        public var name: String
        /// As the warehouse declares it; nil when the table lacks the column.
        public var declared: String?
        /// The contract's (or transform's) type; nil for a column outside the contract.
        public var expected: String?
        /// What heal would declare for the expected type.
        public var wanted: String?
        public var source: String
        public var state: State
    }

    public var pipeline: String
    public var target: String
    public var table: String
    public var exists: Bool
    public var columns: [Column]

    /// Builds the description of one load step's table; `changes` are metadata.db's records of what heal did to it.
    public static func build(
        pipeline: String,
        target: String,
        table: String,
        existing: [TableColumn]?,
        expected: [ColumnSpec],
        dialect: SQLDialect,
        changes: [SchemaChangeRecord]
    ) -> TableDescription {
        let byName = Dictionary(expected.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var columns: [Column] = []
        for column in existing ?? [] where !TableSQL.bookkeeping.contains(column.name) {
            guard let spec = byName[column.name] else {
                let added = changes.last { $0.table == table && $0.change.column == column.name && $0.change.kind == .added }
                let source =
                    added.map { "added by heal (\($0.change.source ?? "from the file")) in run \($0.runID ?? "?") on \($0.date ?? "?")" }
                    ?? "not in the contract"
                columns.append(
                    Column(name: column.name, declared: column.declared, expected: nil, wanted: nil, source: source, state: .extra)
                )
                continue
            }
            let held = dialect.healType(column.declared)
            let wanted = dialect.declare(spec)
            let state: State
            if held == spec.type && (spec.type != .decimal || LoadPlan.scale(of: column.declared) == spec.scale || spec.scale == nil)
                && (spec.type != .timestamp || dialect.holdsInstants(column.declared) == spec.keepsOffset)
            {
                state = .ok
            } else if let held, held.holds(spec.type) && LoadPlan.fits(spec, scale: LoadPlan.scale(of: column.declared)) {
                state = .narrower
            } else {
                state = .conflict
            }
            columns.append(
                Column(
                    name: column.name,
                    declared: column.declared,
                    expected: spec.type.rawValue,
                    wanted: wanted,
                    source: spec.origin?.described ?? "",
                    state: state
                )
            )
        }
        let present = Set((existing ?? []).map(\.name))
        for spec in expected where !present.contains(spec.name) {
            columns.append(
                Column(
                    name: spec.name,
                    declared: nil,
                    expected: spec.type.rawValue,
                    wanted: dialect.declare(spec),
                    source: spec.origin?.described ?? "",
                    state: .missing
                )
            )
        }
        return TableDescription(pipeline: pipeline, target: target, table: table, exists: existing != nil, columns: columns)
    }

    public var text: String {
        var out = "\(table) in \(target)\(exists ? "" : " (not created yet: the first load creates it)")\n"
        let rows =
            [["COLUMN", "TABLE TYPE", "CONTRACT", "HEAL DECLARES", "STATE", "SOURCE"]]
            + columns.map {
                [$0.name, $0.declared ?? "-", $0.expected ?? "-", $0.wanted ?? "-", $0.state.rawValue, $0.source]
            }
        let widths = (0..<5).map { i in rows.map { PrintableText.escaped($0[i]).count }.max() ?? 0 }
        for row in rows {
            let cells = row.enumerated().map { i, cell in
                i < 5
                    ? PrintableText.escaped(cell).padding(toLength: widths[i] + 2, withPad: " ", startingAt: 0)
                    : PrintableText.escaped(cell)
            }
            out += "  " + cells.joined() + "\n"
        }
        for column in columns {
            switch column.state {
            case .narrower:
                out +=
                    "  \(PrintableText.escaped(column.name)): the table holds \(column.expected ?? "") values as \(column.declared ?? ""); `heal table migrate \(pipeline) --retype \(PrintableText.escaped(column.name))` makes it \(column.wanted ?? "")\n"
            case .conflict:
                out +=
                    "  \(PrintableText.escaped(column.name)): \(column.declared ?? "") cannot hold the contract's \(column.expected ?? ""); loads fail until `heal table migrate \(pipeline) --retype \(PrintableText.escaped(column.name))` (or type_changes: widen)\n"
            case .extra:
                out +=
                    "  \(PrintableText.escaped(column.name)): outside the contract; loads leave it NULL (new_columns: evolve fills it); `heal table migrate \(pipeline) --drop \(PrintableText.escaped(column.name))` removes it and its values\n"
            case .ok, .missing: break
            }
        }
        return out
    }
}
