import Foundation

/// A staged file a skill produced: the checkpoint a run resumes from and its lineage trail.
public struct Artifact: Sendable {
    public var url: URL
    public var sha256: String
    public var bytes: Int
    /// Data rows, once a skill has counted them.
    public var rows: Int?
    /// Typed columns, once a contract has been checked.
    public var columns: [ColumnSpec]?
    /// How the file reads (detected or declared by the contract); nil is heal's own UTF-8 CSV.
    public var format: TableFormat?
    /// Rows of `url` that a quarantine moved aside: the artifact is the file without them, no copy written.
    public var excluded: RowSet?
    /// The names the file's columns are read under when a contract read some by their aliases (`client_id` as
    /// `customer_id`): a view of the same file, as `excluded` is, so no copy is written.
    public var header: [String]?
    /// Rows made as they are read, with no file at `url`: a fused pass's transform output, never checkpointed.
    public var stream: (any RowStream)?

    public init(url: URL, sha256: String, bytes: Int, rows: Int? = nil, columns: [ColumnSpec]? = nil) {
        self.url = url
        self.sha256 = sha256
        self.bytes = bytes
        self.rows = rows
        self.columns = columns
    }

    /// The file minus the excluded rows: what the next step reads (`RunContext.open` adds read-ahead and progress).
    public func open() throws -> any TableReader { try Tables.open(self) }

    /// The declared type of a column, `string` when no contract has typed it.
    public func column(named name: String) -> ColumnSpec {
        columns?.first { $0.name == name } ?? ColumnSpec(name: name, type: .string)
    }
}
