import Foundation

/// What a load may do to an existing table: add the data's new columns; never drop or retype one silently.
struct TableEvolution {
    /// Columns every heal table carries besides the data's.
    static let bookkeeping: Set<String> = ["_heal_run", "_heal_date"]

    var added: [ColumnSpec]

    /// `existing` maps each table column to its declared type in the warehouse; `sqlType` gives the type heal
    /// would declare for a contract column. Throws `schema_mismatch` for a missing or retyped column.
    init(table: String, existing: [(name: String, type: String)], columns: [ColumnSpec], sqlType: (ColumnType) -> String) throws {
        let incoming = Dictionary(columns.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        var missing: [String] = []
        var retyped: [String] = []
        for column in existing where !TableEvolution.bookkeeping.contains(column.name) {
            guard let spec = incoming[column.name] else { missing.append(column.name); continue }
            let wanted = sqlType(spec.type)
            if column.type.lowercased() != wanted.lowercased() {
                retyped.append("\(column.name) is \(column.type) in the table but \(spec.type.rawValue) (\(wanted)) in the data")
            }
        }
        if !missing.isEmpty {
            throw SkillFailure(.schemaMismatch, "\(table) has column\(missing.count > 1 ? "s" : "") \(missing.joined(separator: ", ")) that the data no longer has; heal never drops a column silently: restore it at the source, map it with a schema_repair, or drop it from the table by hand; nothing was loaded")
        }
        if !retyped.isEmpty {
            throw SkillFailure(.schemaMismatch, "\(table): \(retyped.joined(separator: "; ")); heal never retypes a column silently: fix the contract or migrate the table by hand; nothing was loaded")
        }
        let known = Set(existing.map(\.name))
        added = columns.filter { !known.contains($0.name) }
    }
}

/// The DDL and merge clause both warehouses write, with every identifier quoted; `sqlType` is the warehouse's own.
enum TableSQL {
    static func create(_ request: LoadRequest, sqlType: (ColumnType) -> String) -> String {
        var definitions = request.columns.map { column in
            "\(SQLIdentifier.quote(column.name)) \(sqlType(column.type))\(column.nullable ? "" : " NOT NULL")"
        }
        definitions.append("\"_heal_run\" \(sqlType(.string)) NOT NULL")
        definitions.append("\"_heal_date\" \(sqlType(.string)) NOT NULL")
        if !request.key.isEmpty {
            definitions.append("PRIMARY KEY (\(request.key.map(SQLIdentifier.quote).joined(separator: ", ")))")
        }
        return "CREATE TABLE \(SQLIdentifier.quote(request.table)) (\(definitions.joined(separator: ", ")))"
    }

    static func addColumn(_ column: ColumnSpec, to table: String, sqlType: (ColumnType) -> String) -> String {
        "ALTER TABLE \(SQLIdentifier.quote(table)) ADD COLUMN \(SQLIdentifier.quote(column.name)) \(sqlType(column.type))"
    }

    /// `ON CONFLICT (key) DO UPDATE SET …` for a merge: every other column, and the run and date, take the new row's.
    static func mergeClause(_ request: LoadRequest) -> String {
        let keys = Set(request.key)
        let assignments = (request.columns.map(\.name).filter { !keys.contains($0) } + ["_heal_run", "_heal_date"])
            .map(SQLIdentifier.quote).map { "\($0) = excluded.\($0)" }
        return " ON CONFLICT (\(request.key.map(SQLIdentifier.quote).joined(separator: ", "))) DO UPDATE SET \(assignments.joined(separator: ", "))"
    }
}
