import Foundation

/// A load target: the seam where SQLite (default) and, later, PostgreSQL plug in.
public protocol Warehouse: Sendable {
    /// Ledger rows for a pipeline's date and table, newest first.
    func ledger(pipeline: String, date: String, table: String) throws -> [LedgerEntry]
    /// Writes the artifact's rows and the ledger row in one transaction.
    func load(_ request: LoadRequest) throws -> LoadReport
    /// Rows a run put in a table, and the rows its ledger entry claims.
    func verify(table: String, runID: String) throws -> (inTable: Int, inLedger: Int?)
    /// The first column of the first row of a query, as text.
    func scalar(_ sql: String) throws -> String?
}

public struct LedgerEntry: Sendable {
    public var runID: String
    public var inputSHA256: String
    public var rows: Int
    public var loadedAt: String
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
    /// Delete the date's earlier rows (and ledger rows) in the same transaction.
    public var replaceDate: Bool
    /// Counts the rows as they are written, for the terminal.
    public var progress: RowProgress?
}

public struct LoadReport: Sendable {
    public var inserted: Int
    public var replaced: Int
    public var before: Int
    public var after: Int
}

/// A target string from a load skill: `sqlite:PATH` (relative to the home folder).
public enum WarehouseTarget {
    public static func open(_ target: String, home: HealHome) throws -> any Warehouse {
        if target.hasPrefix("sqlite:") {
            return try SQLiteWarehouse(url: home.resolve(path: String(target.dropFirst("sqlite:".count))))
        }
        throw SkillFailure(.internal, "unsupported target '\(target)'; expected sqlite:PATH")
    }
}

/// Identifiers come from untrusted files: always quoted, quotes doubled.
enum SQLIdentifier {
    static func quote(_ name: String) -> String {
        "\"" + name.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
