import Foundation

/// A load target: the seam where SQLite (default) and PostgreSQL plug in.
public protocol Warehouse: Sendable {
    /// Ledger rows for a pipeline's date and table, newest first.
    func ledger(pipeline: String, date: String, table: String) async throws -> [LedgerEntry]
    /// Writes the artifact's rows and the ledger row in one transaction.
    func load(_ request: LoadRequest) async throws -> LoadReport
    /// Rows a run put in a table, and the rows its ledger entry claims.
    func verify(table: String, runID: String) async throws -> (inTable: Int, inLedger: Int?)
    /// The first column of the first row of a query, as text, with `values` bound to its parameters in order.
    func scalar(_ sql: String, binding values: [String]) async throws -> String?
    /// A table's columns as the warehouse declares them; nil when there is no such table.
    func columns(of table: String) async throws -> [TableColumn]?
    /// Retypes columns (a checked cast of every stored value) and drops columns, in one transaction.
    func migrate(table: String, retype: [ColumnSpec], drop: [String]) async throws -> [SchemaChange]
    /// Ends the connection a run kept (PostgreSQL); a SQLite file closes with its last reference.
    func close() async
}

extension Warehouse {
    public func scalar(_ sql: String) async throws -> String? { try await scalar(sql, binding: []) }

    public func close() async {}
}

public struct LedgerEntry: Sendable {
    public var runID: String
    public var inputSHA256: String
    public var rows: Int
    public var loadedAt: String
}

/// How a load meets the rows already in the table.
public enum LoadMode: String, Sendable {
    /// Insert; a key already present is a `constraint_violation`.
    case append
    /// Delete the date's earlier rows (and ledger rows), then insert, in one transaction.
    case replaceDate
    /// Insert new keys, update the rows of keys already present (`rows_updated`).
    case merge
}

public struct LoadRequest: Sendable {
    public var pipeline: String
    public var date: String
    public var runID: String
    public var table: String
    public var columns: [ColumnSpec]
    public var artifact: Artifact
    public var inputSHA256: String
    public var key: [String]
    public var mode: LoadMode
    /// Counts the rows as they are written, for the terminal.
    public var progress: RowProgress?
    /// The rows the run's accounting says this load must write (read − quarantined − deduplicated), checked
    /// inside the transaction: a load that would break the balance is rolled back, never committed.
    public var expectedRows: Int?
    /// Every contract column, so an optional one the file lacks is still a table column (NULL on this load).
    public var contract: [ColumnSpec] = []
    public var policy = SchemaPolicy()
    /// The types of the file's columns outside the contract, read from their values (for `new_columns: evolve`).
    public var inferred: [String: ColumnSpec] = [:]
    /// The load skill's name, for messages that send a user to its settings.
    public var loadSkill = "load"

    public init(
        pipeline: String,
        date: String,
        runID: String,
        table: String,
        columns: [ColumnSpec],
        artifact: Artifact,
        inputSHA256: String,
        key: [String],
        mode: LoadMode,
        progress: RowProgress? = nil,
        expectedRows: Int? = nil
    ) {
        self.pipeline = pipeline
        self.date = date
        self.runID = runID
        self.table = table
        self.columns = columns
        self.artifact = artifact
        self.inputSHA256 = inputSHA256
        self.key = key
        self.mode = mode
        self.progress = progress
        self.expectedRows = expectedRows
    }
}

extension LoadRequest {
    /// What every warehouse checks before its commit: the table grew by the rows written (a merge rewrote the rest),
    /// and the rows written are the rows the run's accounting expects. The report of a load that balances.
    func balance(before: Int, after: Int, written: Int, replaced: Int, plan: LoadPlan) throws -> LoadReport {
        let inserted = after - before
        let updated = mode == .merge ? written - inserted : 0
        guard inserted >= 0, inserted + updated == written else {
            throw SkillFailure(.internal, "the table grew by \(Noun.count(inserted, "row")) but \(written) were written; rolled back")
        }
        // Rows a stream left out as it was read (a fused transform's duplicates) are known only now.
        if let expectedRows = expectedRows.map({ $0 - (artifact.stream?.droppedRows ?? 0) }), written != expectedRows {
            throw SkillFailure(
                .internal,
                "row accounting does not balance: the load would write \(Noun.count(written, "row")) but the run read and kept \(expectedRows) (read − quarantined − deduplicated); rolled back, nothing was loaded"
            )
        }
        return LoadReport(
            inserted: inserted,
            updated: updated,
            replaced: replaced,
            before: before,
            after: after,
            changes: plan.changes,
            notes: plan.notes
        )
    }

    /// Rows of this pipeline's earlier loads of the date: what replacing the date removes (another pipeline
    /// loading the same table keeps its rows and its ledger entries).
    static let ownRowsOfDate =
        "_heal_date = ?1 AND _heal_run IN (SELECT run_id FROM _heal_loads WHERE pipeline = ?2 AND logical_date = ?1 AND table_name = ?3)"
}

public struct LoadReport: Sendable {
    public var inserted: Int
    public var updated: Int = 0
    public var replaced: Int
    public var before: Int
    public var after: Int
    /// What the load did to the table's columns (created, added, widened).
    public var changes: [SchemaChange] = []
    /// What the run's details say about columns besides the changes: left out, NULL, narrower than the contract.
    public var notes: [String] = []
}

/// A target string from a load skill: `sqlite:PATH` (relative to the home folder) or
/// `postgres://user@host:port/database` (the password from `PGPASSWORD`, never from the text shown).
public enum WarehouseTarget {
    public static func open(
        _ target: String,
        home: HealHome,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        keepingConnection: Bool = false
    ) throws -> any Warehouse {
        if target.hasPrefix("sqlite:") {
            return try SQLiteWarehouse(url: home.resolve(path: String(target.dropFirst("sqlite:".count))))
        }
        if target.hasPrefix("postgres://") || target.hasPrefix("postgresql://") {
            return try PostgresWarehouse(url: target, environment: environment, keepingConnection: keepingConnection)
        }
        throw SkillFailure(
            .configuration,
            "unsupported target '\(display(target))'; expected sqlite:PATH or postgres://user@host:port/database"
        )
    }

    /// The target as it may be printed: a password in the URL is masked.
    public static func display(_ target: String) -> String {
        guard let scheme = target.range(of: "://"), let at = target[scheme.upperBound...].firstIndex(of: "@") else { return target }
        let userinfo = target[scheme.upperBound..<at]
        guard let colon = userinfo.firstIndex(of: ":") else { return target }
        return String(target[..<colon]) + ":***" + String(target[at...])
    }
}

/// Identifiers come from untrusted files: always quoted, quotes doubled.
enum SQLIdentifier {
    static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
