import Foundation
import GRDB

extension SQLiteWarehouse {
    public func columns(of table: String) async throws -> [TableColumn]? {
        try guarded {
            try database.read { db in try db.tableExists(table) ? try Self.tableColumns(db, table) : nil }
        }
    }

    public func migrate(table: String, retype: [ColumnSpec], drop: [String]) async throws -> [SchemaChange] {
        try guarded {
            var changes: [SchemaChange] = []
            try database.inTransaction(.immediate) { db in
                guard try db.tableExists(table) else {
                    throw SkillFailure(.schemaMismatch, "there is no table \(table) in \(url.lastPathComponent)")
                }
                let columns = try Self.tableColumns(db, table)
                changes = try TableMigration.changes(table: table, columns: columns, retype: retype, drop: drop, dialect: .sqlite)
                for target in retype {
                    let (count, examples) = try Self.refusals(db, table: table, column: target.name, to: target)
                    if count > 0 { throw TableMigration.refused(table: table, target: target, count: count, examples: examples) }
                }
                try Self.rebuild(
                    db,
                    table: table,
                    retype: Dictionary(retype.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a }),
                    drop: Set(drop)
                )
                return .commit
            }
            return changes
        }
    }
}
