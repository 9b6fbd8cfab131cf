import Foundation

/// Where a reshaping loop writes its rows: a staged CSV file (`CSVWriter`) or batches handed straight to the next
/// step (`BatchBuilder`), so one loop serves both.
public protocol RowSink: AnyObject {
    func beginRow(sourceLine: Int)
    func appendField(_ field: FieldBytes)
    func appendField(_ value: String)
    func endRow() throws
}

extension CSVWriter: RowSink {}

/// Builds `RowBatch`es row by row, for rows that go to the next step without a file in between.
public final class BatchBuilder: RowSink {
    private var batch = RowBatch()
    private var line = 0
    /// Rows built so far: each row's number in the output, 1-based, as a reader of a staged file would count them.
    public private(set) var rows = 0

    public init() {}

    public var count: Int { batch.count }

    public func beginRow(sourceLine: Int) { line = sourceLine }

    @inline(__always)
    public func appendField(_ field: FieldBytes) { batch.appendField(field.buffer) }

    public func appendField(_ value: String) { batch.appendField(value) }

    public func endRow() throws {
        rows += 1
        batch.endRow(line: line, row: rows)
    }

    /// The rows built since the last call, as one batch.
    public func take() -> RowBatch {
        defer { batch = RowBatch() }
        return batch
    }
}
