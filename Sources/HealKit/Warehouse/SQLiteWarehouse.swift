import Foundation
import GRDB

/// The embedded default warehouse: one SQLite file; each load is one transaction with its ledger row.
public final class SQLiteWarehouse: Warehouse {
    let database: DatabaseQueue
    let url: URL

    public init(url: URL) throws {
        self.url = url
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            var configuration = GRDB.Configuration()
            configuration.busyMode = .timeout(5)
            database = try DatabaseQueue(path: url.path, configuration: configuration)
            try database.write { db in try SQLiteWarehouse.createLedger(db) }
        } catch {
            throw SkillFailure(.targetUnavailable, "cannot open the SQLite warehouse \(url.path): \(SQLiteWarehouse.describe(error))")
        }
    }

    static func createLedger(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE IF NOT EXISTS _heal_loads (
                pipeline TEXT NOT NULL,
                logical_date TEXT NOT NULL,
                table_name TEXT NOT NULL,
                run_id TEXT NOT NULL,
                input_sha256 TEXT NOT NULL,
                rows INTEGER NOT NULL,
                loaded_at TEXT NOT NULL,
                PRIMARY KEY (pipeline, logical_date, table_name, run_id)
            )
            """)
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }

    static func sqlType(_ type: ColumnType) -> String {
        switch type {
        case .integer, .boolean: return "INTEGER"
        case .decimal: return "REAL"
        case .string, .date: return "TEXT"
        }
    }

    public func ledger(pipeline: String, date: String, table: String) throws -> [LedgerEntry] {
        try guarded {
            try database.read { db in
                try Row.fetchAll(db, sql: """
                    SELECT run_id, input_sha256, rows, loaded_at FROM _heal_loads
                    WHERE pipeline = ? AND logical_date = ? AND table_name = ? ORDER BY loaded_at DESC
                    """, arguments: [pipeline, date, table]).map {
                    LedgerEntry(runID: $0["run_id"], inputSHA256: $0["input_sha256"], rows: $0["rows"], loadedAt: $0["loaded_at"])
                }
            }
        }
    }

    public func load(_ request: LoadRequest) throws -> LoadReport {
        let table = SQLIdentifier.quote(request.table)
        return try guarded {
            var report: LoadReport?
            try database.inTransaction(.immediate) { db in
                try self.prepareTable(request, db)
                var replaced = 0
                if request.replaceDate {
                    try db.execute(sql: "DELETE FROM \(table) WHERE _heal_date = ?", arguments: [request.date])
                    replaced = db.changesCount
                    try db.execute(sql: "DELETE FROM _heal_loads WHERE pipeline = ? AND logical_date = ? AND table_name = ?",
                                   arguments: [request.pipeline, request.date, request.table])
                }
                let before = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
                let inserted = try self.insertRows(request, db)
                let after = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
                guard after - before == inserted else {
                    throw SkillFailure(.internal, "the table grew by \(after - before) rows but \(inserted) were inserted; rolled back")
                }
                try db.execute(sql: """
                    INSERT INTO _heal_loads (pipeline, logical_date, table_name, run_id, input_sha256, rows, loaded_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [request.pipeline, request.date, request.table, request.runID, request.inputSHA256, inserted, Timestamp.now()])
                report = LoadReport(inserted: inserted, replaced: replaced, before: before, after: after)
                return .commit
            }
            return report!
        }
    }

    func prepareTable(_ request: LoadRequest, _ db: Database) throws {
        let table = SQLIdentifier.quote(request.table)
        if try db.tableExists(request.table) {
            let existing = Set(try db.columns(in: request.table).map(\.name))
            for column in request.columns where !existing.contains(column.name) {
                try db.execute(sql: "ALTER TABLE \(table) ADD COLUMN \(SQLIdentifier.quote(column.name)) \(SQLiteWarehouse.sqlType(column.type))")
            }
            return
        }
        var definitions = request.columns.map { column in
            "\(SQLIdentifier.quote(column.name)) \(SQLiteWarehouse.sqlType(column.type))\(column.nullable ? "" : " NOT NULL")"
        }
        definitions.append("\"_heal_run\" TEXT NOT NULL")
        definitions.append("\"_heal_date\" TEXT NOT NULL")
        if !request.key.isEmpty {
            definitions.append("PRIMARY KEY (\(request.key.map(SQLIdentifier.quote).joined(separator: ", ")))")
        }
        try db.execute(sql: "CREATE TABLE \(table) (\(definitions.joined(separator: ", ")))")
        try db.execute(sql: "CREATE INDEX \(SQLIdentifier.quote("\(request.table)__heal_date")) ON \(table) (\"_heal_date\")")
    }

    func insertRows(_ request: LoadRequest, _ db: Database) throws -> Int {
        let reader = try CSVReader(url: request.artifact)
        let indexes = request.columns.map { column in reader.header.firstIndex(of: column.name) }
        let names = request.columns.map { SQLIdentifier.quote($0.name) } + ["\"_heal_run\"", "\"_heal_date\""]
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        let statement = try db.makeStatement(sql: "INSERT INTO \(SQLIdentifier.quote(request.table)) (\(names.joined(separator: ", "))) VALUES (\(placeholders))")
        var inserted = 0
        var values: [DatabaseValue] = []
        values.reserveCapacity(names.count)
        while let record = try reader.next() {
            values.removeAll(keepingCapacity: true)
            for (column, index) in zip(request.columns, indexes) {
                let text = index.map { $0 < record.fields.count ? record.fields[$0] : "" } ?? ""
                values.append(SQLiteWarehouse.value(text, as: column.type))
            }
            values.append(request.runID.databaseValue)
            values.append(request.date.databaseValue)
            do {
                try statement.execute(arguments: StatementArguments(values))
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw SkillFailure(.constraintViolation, "source line \(record.line): \(error.message ?? "constraint failed")\(request.key.isEmpty ? "" : " (key \(request.key.joined(separator: "+")) already in \(request.table), perhaps from another file)"); nothing was loaded")
            }
            inserted += 1
        }
        return inserted
    }

    static func value(_ text: String, as type: ColumnType) -> DatabaseValue {
        if text.isEmpty { return .null }
        switch type {
        case .integer: return ValueParser.integer(text)?.databaseValue ?? text.databaseValue
        case .decimal: return Double(text)?.databaseValue ?? text.databaseValue
        case .boolean: return ValueParser.boolean(text).map { ($0 ? 1 : 0).databaseValue } ?? text.databaseValue
        case .string, .date: return text.databaseValue
        }
    }

    public func verify(table: String, runID: String) throws -> (inTable: Int, inLedger: Int?) {
        try guarded {
            try database.read { db in
                let inLedger = try Int.fetchOne(db, sql: "SELECT sum(rows) FROM _heal_loads WHERE run_id = ? AND table_name = ?", arguments: [runID, table])
                guard try db.tableExists(table) else { return (0, inLedger) }
                let inTable = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(SQLIdentifier.quote(table)) WHERE _heal_run = ?", arguments: [runID]) ?? 0
                return (inTable, inLedger)
            }
        }
    }

    public func scalar(_ sql: String) throws -> String? {
        try guarded {
            try database.read { db in
                guard let row = try Row.fetchOne(db, sql: sql) else { return nil }
                let value: DatabaseValue = row[0]
                switch value.storage {
                case .null: return nil
                case .int64(let i): return String(i)
                case .double(let d): return d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
                case .string(let s): return s
                case .blob(let b): return "\(b.count) bytes"
                }
            }
        }
    }

    /// Maps SQLite errors to failure classes: busy or unopenable → target_unavailable, the rest → internal.
    func guarded<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let failure as SkillFailure {
            throw failure
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_CANTOPEN, .SQLITE_IOERR, .SQLITE_FULL, .SQLITE_READONLY:
                throw SkillFailure(.targetUnavailable, "SQLite warehouse \(url.lastPathComponent): \(error.message ?? "\(error.resultCode)")")
            case .SQLITE_CONSTRAINT:
                throw SkillFailure(.constraintViolation, "SQLite warehouse: \(error.message ?? "constraint failed")")
            default:
                throw SkillFailure(.internal, "SQLite warehouse: \(error.message ?? "\(error.resultCode)")")
            }
        } catch let error as CSVError {
            throw SkillFailure(.parseError, "\(error)")
        }
    }
}
