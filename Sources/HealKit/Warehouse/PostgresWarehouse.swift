import Foundation
import PostgresNIO

/// PostgreSQL through postgres-nio: each load is one transaction that streams the rows with `COPY … FROM STDIN`
/// into a temporary table of text columns, then inserts (or merges) them typed, with the ledger row.
///
/// The temporary table keeps untrusted column names out of the COPY statement, which postgres-nio does not escape.
public struct PostgresWarehouse: Warehouse {
    let configuration: PostgresConnection.Configuration
    /// The target without a password, for messages.
    let shown: String
    /// The connection a run keeps for its calls; nil: one connection per call.
    let kept: KeptConnection?

    /// `keepingConnection`: the calls share one connection until `close()` (a run's; see WarehouseConnections).
    public init(url text: String, environment: [String: String], keepingConnection: Bool = false) throws {
        shown = WarehouseTarget.display(text)
        kept = keepingConnection ? KeptConnection() : nil
        guard let url = URLComponents(string: text), let host = url.host, !host.isEmpty else {
            throw SkillFailure(.configuration, "target '\(shown)' is not a URL like postgres://user@host:5432/database")
        }
        let database = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        let user = url.user ?? environment["PGUSER"] ?? "postgres"
        let password = url.password ?? environment["PGPASSWORD"]
        let sslMode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        let tls: PostgresConnection.Configuration.TLS
        switch sslMode {
        case "disable": tls = .disable
        case "prefer", "allow": tls = .prefer(try Self.tlsContext(shown))
        case "require", "verify-ca", "verify-full": tls = .require(try Self.tlsContext(shown))
        default: throw SkillFailure(.configuration, "target '\(shown)': sslmode '\(sslMode)' is not disable, prefer or require")
        }
        var configuration = PostgresConnection.Configuration(
            host: host,
            port: url.port ?? 5432,
            username: user,
            password: password,
            database: database.isEmpty ? user : database,
            tls: tls
        )
        configuration.options.connectTimeout = .seconds(10)
        self.configuration = configuration
    }

    static func tlsContext(_ shown: String) throws -> NIOSSLContext {
        do { return try NIOSSLContext(configuration: .makeClientConfiguration()) } catch {
            throw SkillFailure(.internal, "target '\(shown)': cannot set up TLS: \(error)")
        }
    }

    static let logger: Logger = {
        var logger = Logger(label: "heal.postgres")
        logger.logLevel = .critical
        return logger
    }()

    /// The type a staged text value is cast to; the table's own declared type (a scale, a varchar) takes it from there.
    static func castType(_ write: LoadPlan.Write) -> String? {
        switch write.type {
        case .string: return nil
        case .integer: return "bigint"
        case .decimal: return "numeric"
        case .boolean: return "boolean"
        case .date: return "date"
        case .timestamp: return write.instants ? "timestamptz" : "timestamp"
        }
    }

    /// A connection for one piece of work: the kept one when it is free, else one of its own, closed after it. A
    /// call that fails closes the connection it used, so a broken session is never lent again.
    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws -> T {
        let (connection, isKept) = try await lend()
        do {
            let value = try await body(connection)
            if isKept { kept?.giveBack() } else { try? await connection.close() }
            return value
        } catch {
            if isKept { kept?.forget() }
            try? await connection.close()
            throw mapped(error, connecting: false)
        }
    }

    func lend() async throws -> (PostgresConnection, isKept: Bool) {
        if let connection = kept?.borrow() { return (connection, true) }
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Self.logger)
        } catch {
            throw mapped(error, connecting: true)
        }
        return (connection, kept?.keep(connection) ?? false)
    }

    public func close() async {
        if let connection = kept?.forget() { try? await connection.close() }
    }

    static let ledgerDDL: PostgresQuery = """
        CREATE TABLE IF NOT EXISTS _heal_loads (
            pipeline text NOT NULL,
            logical_date text NOT NULL,
            table_name text NOT NULL,
            run_id text NOT NULL,
            input_sha256 text NOT NULL,
            rows bigint NOT NULL,
            loaded_at text NOT NULL,
            PRIMARY KEY (pipeline, logical_date, table_name, run_id)
        )
        """

    public func ledger(pipeline: String, date: String, table: String) async throws -> [LedgerEntry] {
        try await withConnection { connection in
            guard try await Self.exists("_heal_loads", connection) else { return [] }
            let rows = try await connection.query(
                """
                SELECT run_id, input_sha256, rows, loaded_at FROM _heal_loads
                WHERE pipeline = \(pipeline) AND logical_date = \(date) AND table_name = \(table) ORDER BY loaded_at DESC
                """,
                logger: Self.logger
            )
            var entries: [LedgerEntry] = []
            for try await (run, sha, count, at) in rows.decode((String, String, Int, String).self) {
                entries.append(LedgerEntry(runID: run, inputSHA256: sha, rows: count, loadedAt: at))
            }
            return entries
        }
    }

    static func exists(_ table: String, _ connection: PostgresConnection) async throws -> Bool {
        let rows = try await connection.query("SELECT to_regclass(\(SQLIdentifier.quote(table)))::text", logger: logger)
        for try await (name, ) in rows.decode((String?,).self) { return name != nil }
        return false
    }

    static func count(
        _ table: String,
        _ connection: PostgresConnection,
        where condition: String = "",
        _ binds: PostgresBindings = PostgresBindings()
    ) async throws -> Int {
        let rows = try await connection.query(
            PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(SQLIdentifier.quote(table))\(condition)", binds: binds),
            logger: logger
        )
        for try await (n, ) in rows.decode((Int,).self) { return n }
        return 0
    }

    public func load(_ request: LoadRequest) async throws -> LoadReport {
        try await withConnection { connection in
            try await connection.query("BEGIN", logger: Self.logger)
            do {
                let report = try await load(request, on: connection)
                CrashPoint.reach("load-before-commit")
                try await connection.query("COMMIT", logger: Self.logger)
                return report
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: Self.logger)
                throw error
            }
        }
    }

    private func load(_ request: LoadRequest, on connection: PostgresConnection) async throws -> LoadReport {
        let log = Self.logger
        let table = SQLIdentifier.quote(request.table)
        // Loads into one database take turns: a second `heal` waits here, it never interleaves.
        try await connection.query("SELECT pg_advisory_xact_lock(7263524)", logger: log)
        try await connection.query(Self.ledgerDDL, logger: log)
        // A timestamp without an offset loaded into a timestamptz column is read as UTC, on every server.
        try await connection.query("SET LOCAL TIME ZONE 'UTC'", logger: log)
        let plan = try await prepareTable(request, on: connection)
        var replaced = 0
        if request.mode == .replaceDate {
            var binds = PostgresBindings()
            binds.append(request.date)
            binds.append(request.pipeline)
            binds.append(request.table)
            let own = LoadRequest.ownRowsOfDate.replacingOccurrences(of: "?", with: "$")
            replaced = try await Self.count(request.table, connection, where: " WHERE \(own)", binds)
            try await connection.query(PostgresQuery(unsafeSQL: "DELETE FROM \(table) WHERE \(own)", binds: binds), logger: log)
            try await connection.query(
                "DELETE FROM _heal_loads WHERE pipeline = \(request.pipeline) AND logical_date = \(request.date) AND table_name = \(request.table)",
                logger: log
            )
        }
        let before = try await Self.count(request.table, connection)

        // COPY straight into the table when that is safe: postgres-nio writes names inside double quotes without
        // doubling quotes in them. A name with a quote, or a merge, streams into c0…cN text columns first.
        let writes = plan.writes.filter { $0.source != nil }
        let direct = request.mode != .merge && !(writes.map(\.name) + [request.table]).contains { $0.contains("\"") }
        if !direct {
            let stage = (0..<writes.count).map { "c\($0) text" }.joined(separator: ", ")
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE TEMP TABLE _heal_stage (\(stage)) ON COMMIT DROP"), logger: log)
        }
        // The run and date close every row of a direct COPY (heal's own ids and ISO dates: nothing to escape).
        let tail = "\t\(request.runID)\t\(request.date)"
        let progress = request.progress
        let reader = PrefetchingReader(try request.artifact.open()) { progress?.add($0) }
        let indexes = writes.map { write in reader.header.firstIndex(of: request.columns[write.source!].name) }
        let values = writes.map { LoadValue($0, dialect: .postgres) }
        var written = 0
        let copyTable = direct ? request.table : "_heal_stage"
        let copyColumns = direct ? writes.map(\.name) + ["_heal_run", "_heal_date"] : (0..<writes.count).map { "c\($0)" }
        try await connection.copyFrom(table: copyTable, columns: copyColumns, logger: log) { writer in
            var buffer = ByteBufferAllocator().buffer(capacity: 1 << 18)
            while let batch = try reader.nextBatch() {
                try batch.forEach { row in
                    for (n, index) in indexes.enumerated() {
                        if n > 0 { buffer.writeInteger(UInt8(ascii: "\t")) }
                        guard let index, index < row.count, !row[index].isEmpty else {
                            buffer.writeStaticString("\\N")
                            continue
                        }
                        switch try values[n].convert(row[index], line: row.line) {
                        case .null: buffer.writeStaticString("\\N")
                        case .integer(let value): buffer.writeString(String(value))
                        case .real(let value): buffer.writeString("\(value)")
                        case .bytes(let field): Self.writeCopyText(field.buffer, to: &buffer)
                        case .text(var text): text.withUTF8 { Self.writeCopyText($0, to: &buffer) }
                        }
                    }
                    if direct { buffer.writeString(tail) }
                    buffer.writeInteger(UInt8(ascii: "\n"))
                    written += 1
                    if CrashPoint.armed { CrashPoint.reach("load-row") }
                }
                if buffer.readableBytes >= 1 << 18 {
                    try await writer.write(buffer)
                    buffer.clear()
                }
            }
            if buffer.readableBytes > 0 { try await writer.write(buffer) }
        }

        let names = writes.map { SQLIdentifier.quote($0.name) } + ["\"_heal_run\"", "\"_heal_date\""]
        let selected = writes.enumerated().map { n, write in Self.castType(write).map { "c\(n)::\($0)" } ?? "c\(n)" } + ["$1", "$2"]
        var sql = "INSERT INTO \(table) (\(names.joined(separator: ", "))) SELECT \(selected.joined(separator: ", ")) FROM _heal_stage"
        if request.mode == .merge { sql += TableSQL.mergeClause(request, columns: writes.map(\.name)) }
        var binds = PostgresBindings()
        binds.append(request.runID)
        binds.append(request.date)
        if !direct { try await connection.query(PostgresQuery(unsafeSQL: sql, binds: binds), logger: log) }
        let after = try await Self.count(request.table, connection)
        let report = try request.balance(before: before, after: after, written: written, replaced: replaced, plan: plan)
        try await connection.query(
            """
            INSERT INTO _heal_loads (pipeline, logical_date, table_name, run_id, input_sha256, rows, loaded_at)
            VALUES (\(request.pipeline), \(request.date), \(request.table), \(request.runID), \(request.inputSHA256), \(written), \(Timestamp.now()))
            """,
            logger: log
        )
        return report
    }

    /// Creates the table, or evolves it as the plan says (new columns added, widened columns retyped).
    private func prepareTable(_ request: LoadRequest, on connection: PostgresConnection) async throws -> LoadPlan {
        let log = Self.logger
        let table = SQLIdentifier.quote(request.table)
        guard try await Self.exists(request.table, connection) else {
            let plan = try LoadPlan(request, existing: nil, dialect: .postgres)
            try await connection.query(
                PostgresQuery(unsafeSQL: TableSQL.create(request, columns: plan.create ?? [], dialect: .postgres)),
                logger: log
            )
            try await connection.query(PostgresQuery(unsafeSQL: "CREATE INDEX ON \(table) (\"_heal_date\")"), logger: log)
            return plan
        }
        let existing = try await Self.tableColumns(request.table, connection)
        let plan = try LoadPlan(request, existing: existing, dialect: .postgres)
        if request.mode == .merge {
            let primaryKey = existing.filter(\.primaryKey).map(\.name)
            guard Set(primaryKey) == Set(request.key) else {
                throw SkillFailure(
                    .schemaMismatch,
                    "a merge on \(request.key.joined(separator: "+")) needs that key to be \(request.table)'s primary key, but it is \(primaryKey.isEmpty ? "none" : primaryKey.joined(separator: "+")); nothing was loaded"
                )
            }
        }
        for column in plan.additions {
            try await connection.query(
                PostgresQuery(unsafeSQL: TableSQL.addColumn(column, to: request.table, dialect: .postgres)),
                logger: log
            )
        }
        for (name, target) in plan.widenings {
            let declared = SQLDialect.postgres.declare(target)
            let column = SQLIdentifier.quote(name)
            try await connection.query(
                PostgresQuery(unsafeSQL: "ALTER TABLE \(table) ALTER COLUMN \(column) TYPE \(declared) USING \(column)::text::\(declared)"),
                logger: log
            )
        }
        return plan
    }

    /// A table's columns as PostgreSQL declares them (`numeric(18,2)`, `timestamp with time zone`), with its key.
    static func tableColumns(_ table: String, _ connection: PostgresConnection) async throws -> [TableColumn] {
        var primaryKey: Set<String> = []
        let keyRows = try await connection.query(
            """
            SELECT a.attname::text FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
            WHERE i.indrelid = to_regclass(\(SQLIdentifier.quote(table))) AND i.indisprimary
            """,
            logger: logger
        )
        for try await (name, ) in keyRows.decode((String,).self) { primaryKey.insert(name) }
        var columns: [TableColumn] = []
        let rows = try await connection.query(
            """
            SELECT column_name::text, data_type::text, is_nullable::text, numeric_precision::int, numeric_scale::int FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = \(table) ORDER BY ordinal_position
            """,
            logger: logger
        )
        for try await (name, type, nullable, precision, scale) in rows.decode((String, String, String, Int?, Int?).self) {
            var declared = type
            if type == "numeric", let precision, let scale { declared = "numeric(\(precision),\(scale))" }
            columns.append(TableColumn(name: name, declared: declared, nullable: nullable == "YES", primaryKey: primaryKey.contains(name)))
        }
        return columns
    }

    /// Text in COPY's text format: backslash, tab, newline and CR escaped.
    static func writeCopyText(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout ByteBuffer) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
            case UInt8(ascii: "\t"): buffer.writeStaticString("\\t")
            case UInt8(ascii: "\n"): buffer.writeStaticString("\\n")
            case UInt8(ascii: "\r"): buffer.writeStaticString("\\r")
            default: buffer.writeInteger(byte)
            }
        }
    }

    public func verify(table: String, runID: String) async throws -> (inTable: Int, inLedger: Int?) {
        try await withConnection { connection in
            var inLedger: Int?
            if try await Self.exists("_heal_loads", connection) {
                let rows = try await connection.query(
                    "SELECT sum(rows)::bigint FROM _heal_loads WHERE run_id = \(runID) AND table_name = \(table)",
                    logger: Self.logger
                )
                for try await (n, ) in rows.decode((Int?,).self) { inLedger = n }
            }
            guard try await Self.exists(table, connection) else { return (0, inLedger) }
            var binds = PostgresBindings()
            binds.append(runID)
            return (try await Self.count(table, connection, where: " WHERE _heal_run = $1", binds), inLedger)
        }
    }

    public func scalar(_ sql: String, binding values: [String]) async throws -> String? {
        try await withConnection { connection in
            // Instants print in UTC, as SQLite holds them, whatever the server's time zone.
            try await connection.query("SET TIME ZONE 'UTC'", logger: Self.logger)
            var binds = PostgresBindings()
            for value in values { binds.append(value) }
            let rows = try await connection.query(
                PostgresQuery(
                    unsafeSQL:
                        "SELECT (\(sql.trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: ";")))))::text",
                    binds: binds
                ),
                logger: Self.logger
            )
            for try await (value, ) in rows.decode((String?,).self) { return value.map(WarehouseText.tidy) }
            return nil
        }
    }

    /// Refused and dropped connections are `target_unavailable`; a key already present is `constraint_violation`.
    func mapped(_ error: Error, connecting: Bool) -> Error {
        if error is SkillFailure { return error }
        if let error = error as? PostgresTransactionError {
            return mapped(error.closureError ?? error.commitError ?? error.beginError ?? error, connecting: connecting)
        }
        if let error = error as? PSQLError {
            if let state = error.serverInfo?[.sqlState] {
                let message = error.serverInfo?[.message] ?? "error \(state)"
                let detail = error.serverInfo?[.detail].map { " (\($0))" } ?? ""
                switch state {
                case "23505":
                    return SkillFailure(
                        .constraintViolation,
                        "PostgreSQL \(shown): \(message)\(detail), perhaps from another file; nothing was loaded"
                    )
                case "28P01", "28000":
                    return SkillFailure(
                        .configuration,
                        "PostgreSQL \(shown): \(message); set the password in PGPASSWORD (or the user in the target)"
                    )
                case "3D000":
                    return SkillFailure(
                        .configuration,
                        "PostgreSQL \(shown): \(message); create the database first, or fix the target in the load skill"
                    )
                default:
                    if state.hasPrefix("08") || state.hasPrefix("57") || state.hasPrefix("53") {
                        return SkillFailure(.targetUnavailable, "PostgreSQL \(shown): \(message)")
                    }
                    if state.hasPrefix("22") {
                        return SkillFailure(.parseError, "PostgreSQL \(shown): \(message)\(detail); nothing was loaded")
                    }
                    return SkillFailure(.internal, "PostgreSQL \(shown): \(message)\(detail)")
                }
            }
            switch error.code {
            case .connectionError, .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
                return SkillFailure(
                    .targetUnavailable,
                    "PostgreSQL \(shown) \(connecting ? "refused the connection" : "dropped the connection"): \(error.underlying.map { "\($0)" } ?? "\(error.code)")"
                )
            case .authMechanismRequiresPassword:
                return SkillFailure(.configuration, "PostgreSQL \(shown) asks for a password; set it in PGPASSWORD")
            default:
                return SkillFailure(connecting ? .targetUnavailable : .internal, "PostgreSQL \(shown): \(error.code)")
            }
        }
        if error is TableError { return SkillFailure(.parseError, "\(error)") }
        return SkillFailure(.targetUnavailable, "PostgreSQL \(shown): \(error)")
    }
}
