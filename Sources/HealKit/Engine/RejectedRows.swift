import Foundation

/// The rows one check rejected: written to a staging file in quarantine's layout as the check reads,
/// so a quarantine publishes them without reading the input again.
public struct RejectedRows: Sendable {
    /// The staged file: `_source_line, _reason, _rule, _column, _value`, then the row's fields.
    public var url: URL
    /// Their data row numbers in the file the check read.
    public var rows: RowSet
    public var reasons: [String: Int]
    /// The header of the file the check read (without quarantine's leading columns).
    public var header: [String]
    /// The input the check read, so a quarantine never publishes rejects of another file.
    public var input: URL
}
