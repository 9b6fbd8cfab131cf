import Foundation
import PostgresNIO

extension PostgresWarehouse {
    public func columns(of table: String) async throws -> [TableColumn]? {
        try await withConnection { connection in
            guard try await Self.exists(table, connection) else { return nil }
            return try await Self.tableColumns(table, connection)
        }
    }

    /// A retype reads the column's distinct values, checks each with the load's own conversion, rewrites those
    /// whose canonical text differs (as text), then lets PostgreSQL cast the column: one transaction.
    public func migrate(table: String, retype: [ColumnSpec], drop: [String]) async throws -> [SchemaChange] {
        try await withConnection { connection in
            let log = Self.logger
            try await connection.query("BEGIN", logger: log)
            do {
                try await connection.query("SET LOCAL TIME ZONE 'UTC'", logger: log)
                try await connection.query("SELECT pg_advisory_xact_lock(7263524)", logger: log)
                guard try await Self.exists(table, connection) else {
                    throw SkillFailure(.schemaMismatch, "there is no table \(table) in \(shown)")
                }
                let columns = try await Self.tableColumns(table, connection)
                let changes = try TableMigration.changes(table: table, columns: columns, retype: retype, drop: drop, dialect: .postgres)
                let quotedTable = SQLIdentifier.quote(table)
                for target in retype {
                    try await retypeColumn(target, of: table, on: connection)
                }
                for name in drop {
                    try await connection.query(
                        PostgresQuery(unsafeSQL: "ALTER TABLE \(quotedTable) DROP COLUMN \(SQLIdentifier.quote(name))"),
                        logger: log
                    )
                }
                try await connection.query("COMMIT", logger: log)
                return changes
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: log)
                throw error
            }
        }
    }

    private func retypeColumn(_ target: ColumnSpec, of table: String, on connection: PostgresConnection) async throws {
        let log = Self.logger
        let quotedTable = SQLIdentifier.quote(table)
        let column = SQLIdentifier.quote(target.name)
        let cast = StoredValueCast(to: target, dialect: .postgres)
        var rewrites: [(String, String)] = []
        var refused = 0
        var examples: [String] = []
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT DISTINCT \(column)::text FROM \(quotedTable) WHERE \(column) IS NOT NULL"),
            logger: log
        )
        for try await (text, ) in rows.decode((String,).self) {
            do {
                let canonical: String
                switch try cast.convert(text) {
                case .null: canonical = ""
                case .integer(let i): canonical = String(i)
                case .real(let d): canonical = "\(d)"
                case .text(let t): canonical = t
                case .bytes(let f): canonical = f.string
                }
                if canonical != text { rewrites.append((text, canonical)) }
            } catch {
                refused += 1
                if examples.count < 3 { examples.append(text) }
            }
        }
        if refused > 0 { throw TableMigration.refused(table: table, target: target, count: refused, examples: examples) }
        let declared = SQLDialect.postgres.declare(target)
        if !rewrites.isEmpty {
            // Canonical text first (the column as text), then PostgreSQL's own cast of text it reads one way only.
            try await connection.query(
                PostgresQuery(unsafeSQL: "ALTER TABLE \(quotedTable) ALTER COLUMN \(column) TYPE text USING \(column)::text"),
                logger: log
            )
            for (old, new) in rewrites {
                var binds = PostgresBindings()
                binds.append(new.isEmpty ? nil : new)
                binds.append(old)
                try await connection.query(
                    PostgresQuery(unsafeSQL: "UPDATE \(quotedTable) SET \(column) = $1 WHERE \(column) = $2", binds: binds),
                    logger: log
                )
            }
        }
        try await connection.query(
            PostgresQuery(
                unsafeSQL: "ALTER TABLE \(quotedTable) ALTER COLUMN \(column) TYPE \(declared) USING \(column)::text::\(declared)"
            ),
            logger: log
        )
    }
}
