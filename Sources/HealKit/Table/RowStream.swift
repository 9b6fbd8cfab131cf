import Foundation

/// Rows a step hands straight to the step after it instead of staging a file (a transform fused with its load).
/// It is read once, and only its reader knows, once the last row is read, how many input rows it left out.
public protocol RowStream: AnyObject, Sendable {
    /// The reader of the rows; a second call is an error, since the rows are made as they are read.
    func open() throws -> any TableReader
    /// Input rows the stream left out (duplicates), counted as it is read: what a load's accounting subtracts.
    var droppedRows: Int { get }
}
