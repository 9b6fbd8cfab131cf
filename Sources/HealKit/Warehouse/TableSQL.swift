import Foundation

/// The DDL and merge clause both warehouses write, with every identifier quoted and types from the dialect.
enum TableSQL {
    /// Columns every heal table carries besides the data's.
    static let bookkeeping: Set<String> = ["_heal_run", "_heal_date"]

    static func create(_ request: LoadRequest, columns: [ColumnSpec], dialect: SQLDialect) -> String {
        var definitions = columns.map { column in
            "\(SQLIdentifier.quote(column.name)) \(dialect.declare(column))\(column.nullable ? "" : " NOT NULL")"
        }
        let text = dialect.declare(ColumnSpec(name: "_heal_run"))
        definitions.append("\"_heal_run\" \(text) NOT NULL")
        definitions.append("\"_heal_date\" \(text) NOT NULL")
        if !request.key.isEmpty {
            definitions.append("PRIMARY KEY (\(request.key.map(SQLIdentifier.quote).joined(separator: ", ")))")
        }
        return "CREATE TABLE \(SQLIdentifier.quote(request.table)) (\(definitions.joined(separator: ", ")))"
    }

    static func addColumn(_ column: ColumnSpec, to table: String, dialect: SQLDialect) -> String {
        "ALTER TABLE \(SQLIdentifier.quote(table)) ADD COLUMN \(SQLIdentifier.quote(column.name)) \(dialect.declare(column))"
    }

    /// `ON CONFLICT (key) DO UPDATE SET …` for a merge: every other written column, and the run and date, take the
    /// new row's.
    static func mergeClause(_ request: LoadRequest, columns: [String]) -> String {
        let keys = Set(request.key)
        let assignments = (columns.filter { !keys.contains($0) } + ["_heal_run", "_heal_date"])
            .map(SQLIdentifier.quote).map { "\($0) = excluded.\($0)" }
        return
            " ON CONFLICT (\(request.key.map(SQLIdentifier.quote).joined(separator: ", "))) DO UPDATE SET \(assignments.joined(separator: ", "))"
    }
}
