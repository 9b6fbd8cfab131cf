import Foundation
import GRDB

extension SQLiteWarehouse {
    /// Rebuilds a table with some columns retyped and some dropped, inside the caller's transaction: SQLite cannot
    /// change a column's type in place. Values of a retyped column go through a checked cast; the primary key,
    /// NOT NULL constraints and the table's indexes are kept.
    static func rebuild(_ db: Database, table: String, retype: [String: ColumnSpec], drop: Set<String> = []) throws {
        let columns = try tableColumns(db, table)
        let primaryKey = try db.primaryKey(table).columns.filter { $0 != "rowid" }
        let indexes = try String.fetchAll(
            db,
            sql: "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            arguments: [table]
        )
        let temporary = "_heal_rebuild_\(table)"
        var definitions: [String] = []
        var selections: [String] = []
        var kept: [String] = []
        var functions: [DatabaseFunction] = []
        for column in columns where !drop.contains(column.name) {
            let name = SQLIdentifier.quote(column.name)
            kept.append(name)
            let notNull = column.nullable ? "" : " NOT NULL"
            guard let target = retype[column.name] else {
                definitions.append("\(name) \(column.declared)\(notNull)")
                selections.append(name)
                continue
            }
            let cast = StoredValueCast(to: target, dialect: .sqlite)
            let function = DatabaseFunction("heal_cast_\(functions.count)", argumentCount: 1, pure: true) { values in
                try cast.databaseValue(values[0])
            }
            db.add(function: function)
            functions.append(function)
            definitions.append("\(name) \(SQLDialect.sqlite.declare(target))\(notNull)")
            selections.append("\(function.name)(\(name))")
        }
        defer { functions.forEach { db.remove(function: $0) } }
        if !primaryKey.isEmpty && primaryKey.allSatisfy({ !drop.contains($0) }) {
            definitions.append("PRIMARY KEY (\(primaryKey.map(SQLIdentifier.quote).joined(separator: ", ")))")
        }
        try db.execute(sql: "DROP TABLE IF EXISTS \(SQLIdentifier.quote(temporary))")
        try db.execute(sql: "CREATE TABLE \(SQLIdentifier.quote(temporary)) (\(definitions.joined(separator: ", ")))")
        try db.execute(
            sql:
                "INSERT INTO \(SQLIdentifier.quote(temporary)) (\(kept.joined(separator: ", "))) SELECT \(selections.joined(separator: ", ")) FROM \(SQLIdentifier.quote(table))"
        )
        try db.execute(sql: "DROP TABLE \(SQLIdentifier.quote(table))")
        try db.execute(sql: "ALTER TABLE \(SQLIdentifier.quote(temporary)) RENAME TO \(SQLIdentifier.quote(table))")
        for index in indexes { try db.execute(sql: index) }
    }

    /// Every stored value of a column that the cast refuses, counted, with the first few as examples.
    static func refusals(_ db: Database, table: String, column: String, to target: ColumnSpec) throws -> (count: Int, examples: [String]) {
        let cast = StoredValueCast(to: target, dialect: .sqlite)
        var count = 0
        var examples: [String] = []
        let quoted = SQLIdentifier.quote(column)
        let rows = try Row.fetchCursor(db, sql: "SELECT \(quoted) FROM \(SQLIdentifier.quote(table)) WHERE \(quoted) IS NOT NULL")
        while let row = try rows.next() {
            let value: DatabaseValue = row[0]
            do { _ = try cast.databaseValue(value) } catch {
                count += 1
                if examples.count < 3, let text = WarehouseText.value(value) { examples.append(text) }
            }
        }
        return (count, examples)
    }
}
