import Foundation
import GRDB
import GRDBSQLite

/// The embedded default warehouse: one SQLite file; each load is one transaction with its ledger row.
public final class SQLiteWarehouse: Warehouse {
    let database: DatabaseQueue
    let url: URL

    public init(url: URL) throws {
        self.url = url
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            _ = SQLiteProcessSettings.applied
            var configuration = GRDB.Configuration()
            configuration.busyMode = .timeout(5)
            database = try DatabaseQueue(path: url.path, configuration: configuration)
            try database.write { db in try SQLiteWarehouse.createLedger(db) }
        } catch {
            throw SkillFailure(.targetUnavailable, "cannot open the SQLite warehouse \(url.path): \(SQLiteWarehouse.describe(error))")
        }
    }

    static func createLedger(_ db: Database) throws {
        try db.execute(
            sql: """
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
                """
        )
    }

    static func describe(_ error: Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }

    public func ledger(pipeline: String, date: String, table: String) async throws -> [LedgerEntry] {
        try guarded {
            try database.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT run_id, input_sha256, rows, loaded_at FROM _heal_loads
                        WHERE pipeline = ? AND logical_date = ? AND table_name = ? ORDER BY loaded_at DESC
                        """,
                    arguments: [pipeline, date, table]
                ).map {
                    LedgerEntry(runID: $0["run_id"], inputSHA256: $0["input_sha256"], rows: $0["rows"], loadedAt: $0["loaded_at"])
                }
            }
        }
    }

    public func load(_ request: LoadRequest) async throws -> LoadReport {
        let table = SQLIdentifier.quote(request.table)
        return try guarded {
            var report: LoadReport?
            try database.inTransaction(.immediate) { db in
                let plan = try self.prepareTable(request, db)
                var replaced = 0
                if request.mode == .replaceDate {
                    try db.execute(
                        sql: "DELETE FROM \(table) WHERE \(LoadRequest.ownRowsOfDate)",
                        arguments: [request.date, request.pipeline, request.table]
                    )
                    replaced = db.changesCount
                    try db.execute(
                        sql: "DELETE FROM _heal_loads WHERE pipeline = ? AND logical_date = ? AND table_name = ?",
                        arguments: [request.pipeline, request.date, request.table]
                    )
                }
                let before = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
                let written = try self.insertRows(request, plan: plan, db)
                if plan.create != nil { try Self.indexDates(request.table, db) }
                let after = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
                let balanced = try request.balance(before: before, after: after, written: written, replaced: replaced, plan: plan)
                try db.execute(
                    sql: """
                        INSERT INTO _heal_loads (pipeline, logical_date, table_name, run_id, input_sha256, rows, loaded_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        request.pipeline, request.date, request.table, request.runID, request.inputSHA256, written, Timestamp.now(),
                    ]
                )
                CrashPoint.reach("load-before-commit")
                report = balanced
                return .commit
            }
            return report!
        }
    }

    /// Creates the table, or evolves it as the plan says (new columns added, widened columns rebuilt).
    func prepareTable(_ request: LoadRequest, _ db: Database) throws -> LoadPlan {
        guard try db.tableExists(request.table) else {
            let plan = try LoadPlan(request, existing: nil, dialect: .sqlite)
            // Its date index is built after the rows are in (`indexDates`): one sort instead of an insert per row.
            try db.execute(sql: TableSQL.create(request, columns: plan.create ?? [], dialect: .sqlite))
            return plan
        }
        let plan = try LoadPlan(request, existing: try Self.tableColumns(db, request.table), dialect: .sqlite)
        if request.mode == .merge {
            let primaryKey = try db.primaryKey(request.table).columns
            guard Set(primaryKey) == Set(request.key) else {
                throw SkillFailure(
                    .schemaMismatch,
                    "a merge on \(request.key.joined(separator: "+")) needs that key to be \(request.table)'s primary key, but it is \(primaryKey.isEmpty || primaryKey == ["rowid"] ? "none" : primaryKey.joined(separator: "+")); nothing was loaded"
                )
            }
        }
        for column in plan.additions {
            try db.execute(sql: TableSQL.addColumn(column, to: request.table, dialect: .sqlite))
        }
        if !plan.widenings.isEmpty {
            try Self.rebuild(
                db,
                table: request.table,
                retype: Dictionary(plan.widenings.map { ($0.name, $0.to) }, uniquingKeysWith: { a, _ in a })
            )
        }
        return plan
    }

    /// The index a replace of one date and the health checks read by; built in the load's transaction.
    static func indexDates(_ table: String, _ db: Database) throws {
        try db.execute(sql: "CREATE INDEX \(SQLIdentifier.quote("\(table)__heal_date")) ON \(SQLIdentifier.quote(table)) (\"_heal_date\")")
    }

    /// A table's columns as SQLite declares them.
    static func tableColumns(_ db: Database, _ table: String) throws -> [TableColumn] {
        try db.columns(in: table).map {
            TableColumn(name: $0.name, declared: $0.type, nullable: !$0.isNotNull, primaryKey: $0.primaryKeyIndex > 0)
        }
    }

    /// Binds a batch's bytes through SQLite's C API on GRDB's prepared statement (measured here 1.6× GRDB's
    /// argument arrays); text is bound in place, valid until the step that follows.
    func insertRows(_ request: LoadRequest, plan: LoadPlan, _ db: Database) throws -> Int {
        let progress = request.progress
        let reader = PrefetchingReader(try request.artifact.open()) { progress?.add($0) }
        let header = reader.header
        // Plan positions are in the request's columns; the reader's header is the file's order.
        let indexes = plan.writes.map { write in write.source.flatMap { header.firstIndex(of: request.columns[$0].name) } }
        let values = plan.writes.map { LoadValue($0, dialect: .sqlite) }
        let columnNames = plan.writes.map(\.name)
        let names = columnNames.map(SQLIdentifier.quote) + ["\"_heal_run\"", "\"_heal_date\""]
        let placeholders = Array(repeating: "?", count: names.count).joined(separator: ", ")
        var sql = "INSERT INTO \(SQLIdentifier.quote(request.table)) (\(names.joined(separator: ", "))) VALUES (\(placeholders))"
        if request.mode == .merge { sql += TableSQL.mergeClause(request, columns: columnNames) }
        let statement = try db.makeStatement(sql: sql)
        let handle = statement.sqliteStatement
        let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
        var run = request.runID
        var date = request.date
        // The run and date are the same on every row: bound once, they stay bound across resets.
        run.withUTF8 { b in
            _ = sqlite3_bind_text(
                handle,
                Int32(indexes.count + 1),
                UnsafeRawPointer(b.baseAddress!).assumingMemoryBound(to: CChar.self),
                Int32(b.count),
                transient
            )
        }
        date.withUTF8 { b in
            _ = sqlite3_bind_text(
                handle,
                Int32(indexes.count + 2),
                UnsafeRawPointer(b.baseAddress!).assumingMemoryBound(to: CChar.self),
                Int32(b.count),
                transient
            )
        }
        var inserted = 0
        try reader.forEachRow { row in
            for (n, index) in indexes.enumerated() {
                let position = Int32(n + 1)
                guard let index, index < row.count, !row[index].isEmpty else {
                    sqlite3_bind_null(handle, position)
                    continue
                }
                switch try values[n].convert(row[index], line: row.line) {
                case .null: sqlite3_bind_null(handle, position)
                case .integer(let value): sqlite3_bind_int64(handle, position, value)
                case .real(let value): sqlite3_bind_double(handle, position, value)
                case .bytes(let field):
                    // SQLITE_STATIC: the batch outlives the step below.
                    _ = sqlite3_bind_text(
                        handle,
                        position,
                        UnsafeRawPointer(field.buffer.baseAddress!).assumingMemoryBound(to: CChar.self),
                        Int32(field.count),
                        nil
                    )
                case .text(var text):
                    text.withUTF8 { b in
                        _ = sqlite3_bind_text(
                            handle,
                            position,
                            UnsafeRawPointer(b.baseAddress!).assumingMemoryBound(to: CChar.self),
                            Int32(b.count),
                            transient
                        )
                    }
                }
            }
            let code = sqlite3_step(handle)
            sqlite3_reset(handle)
            guard code == SQLITE_DONE else {
                let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
                if code & 0xff == SQLITE_CONSTRAINT {
                    throw SkillFailure(
                        .constraintViolation,
                        "source line \(row.line): \(message)\(request.key.isEmpty ? "" : " (key \(request.key.joined(separator: "+")) already in \(request.table), perhaps from another file)"); nothing was loaded"
                    )
                }
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message)
            }
            inserted += 1
            if CrashPoint.armed { CrashPoint.reach("load-row") }
        }
        return inserted
    }

    public func verify(table: String, runID: String) async throws -> (inTable: Int, inLedger: Int?) {
        try guarded {
            try database.read { db in
                let inLedger = try Int.fetchOne(
                    db,
                    sql: "SELECT sum(rows) FROM _heal_loads WHERE run_id = ? AND table_name = ?",
                    arguments: [runID, table]
                )
                guard try db.tableExists(table) else { return (0, inLedger) }
                let inTable =
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM \(SQLIdentifier.quote(table)) WHERE _heal_run = ?", arguments: [runID])
                    ?? 0
                return (inTable, inLedger)
            }
        }
    }

    public func scalar(_ sql: String, binding values: [String]) async throws -> String? {
        try guarded {
            try database.read { db in
                guard let row = try Row.fetchOne(db, sql: sql, arguments: StatementArguments(values)) else { return nil }
                return WarehouseText.value(row[0])
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
                throw SkillFailure(
                    .targetUnavailable,
                    "SQLite warehouse \(url.lastPathComponent): \(error.message ?? "\(error.resultCode)")"
                )
            case .SQLITE_CONSTRAINT:
                throw SkillFailure(.constraintViolation, "SQLite warehouse: \(error.message ?? "constraint failed")")
            default:
                throw SkillFailure(.internal, "SQLite warehouse: \(error.message ?? "\(error.resultCode)")")
            }
        } catch let error as TableError {
            throw SkillFailure(.parseError, "\(error)")
        }
    }
}
