import Foundation

/// A run of rows as every reader yields them: field bytes in one buffer, offsets beside them.
///
/// No String is built per field; a skill asks for a value's bytes and parses them in place.
public struct RowBatch: Sendable {
    var bytes: [UInt8] = []
    var starts: [Int32] = []
    var ends: [Int32] = []
    /// For each row, the index one past its last field in `starts`/`ends`.
    var rowEnds: [Int32] = []
    /// For each row, its line in the file the run fetched.
    public internal(set) var lines: [Int] = []
    /// For each row, its 1-based data row number in the file being read.
    public internal(set) var rowNumbers: [Int] = []
    /// Rows the reader could only read as broken (by their index in this batch); most batches have none.
    var flaws: [Int: RowFlaw] = [:]

    public init() {}

    public var count: Int { lines.count }
    public var isEmpty: Bool { lines.isEmpty }

    mutating func reserve(rows: Int, bytes: Int) {
        self.bytes.reserveCapacity(bytes)
        lines.reserveCapacity(rows)
        rowNumbers.reserveCapacity(rows)
        rowEnds.reserveCapacity(rows)
    }

    /// Position to roll back to when a record turns out to be incomplete.
    struct Mark {
        var bytes: Int
        var fields: Int
    }

    var mark: Mark { Mark(bytes: bytes.count, fields: starts.count) }

    mutating func rollBack(to mark: Mark) {
        bytes.removeSubrange(mark.bytes...)
        starts.removeSubrange(mark.fields...)
        ends.removeSubrange(mark.fields...)
    }

    /// Appends one field's bytes.
    @inline(__always)
    mutating func appendField(_ field: UnsafeBufferPointer<UInt8>) {
        starts.append(Int32(bytes.count))
        bytes.append(contentsOf: field)
        ends.append(Int32(bytes.count))
    }

    mutating func appendField(_ text: String) {
        starts.append(Int32(bytes.count))
        bytes.append(contentsOf: text.utf8)
        ends.append(Int32(bytes.count))
    }

    /// Closes the row whose fields were appended since the last call.
    mutating func endRow(line: Int, row: Int, flaw: RowFlaw? = nil) {
        if let flaw { flaws[lines.count] = flaw }
        rowEnds.append(Int32(starts.count))
        lines.append(line)
        rowNumbers.append(row)
    }

    /// Calls `body` with each row; the views are valid only inside the call.
    public func forEach(_ body: (RowView) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { b in
            try starts.withUnsafeBufferPointer { s in
                try ends.withUnsafeBufferPointer { e in
                    var first = 0
                    let flawless = flaws.isEmpty
                    for r in 0..<rowEnds.count {
                        let end = Int(rowEnds[r])
                        try body(
                            RowView(
                                bytes: b,
                                starts: s,
                                ends: e,
                                first: first,
                                count: end - first,
                                line: lines[r],
                                row: rowNumbers[r],
                                flaw: flawless ? nil : flaws[r]
                            )
                        )
                        first = end
                    }
                }
            }
        }
    }

    /// Each row's fields as Strings, for the paths where speed does not matter.
    public var records: [CSVRecord] {
        var out: [CSVRecord] = []
        out.reserveCapacity(count)
        forEach { row in out.append(CSVRecord(fields: row.strings, line: row.line, row: row.row)) }
        return out
    }
}

/// One row of a batch: borrowed bytes, valid only inside `RowBatch.forEach`.
public struct RowView {
    let bytes: UnsafeBufferPointer<UInt8>
    let starts: UnsafeBufferPointer<Int32>
    let ends: UnsafeBufferPointer<Int32>
    let first: Int
    /// Fields in this row (ragged rows differ from the header).
    public let count: Int
    public let line: Int
    public let row: Int
    /// Set when the reader could not read this row as a record (only readers opened with `.deliver` see one).
    public let flaw: RowFlaw?

    /// The raw bytes of field `i`; empty when the row is shorter than that.
    @inline(__always)
    public subscript(_ i: Int) -> FieldBytes {
        guard i < count else { return FieldBytes(UnsafeBufferPointer(start: bytes.baseAddress, count: 0)) }
        let s = Int(starts[first + i])
        let e = Int(ends[first + i])
        return FieldBytes(UnsafeBufferPointer(rebasing: bytes[s..<e]))
    }

    public func string(_ i: Int) -> String { self[i].string }

    public var strings: [String] { (0..<count).map { self[$0].string } }

    /// Whether any field holds a NUL byte (PostgreSQL refuses them; no real text carries one).
    public var containsNUL: Bool {
        guard count > 0 else { return false }
        let s = Int(starts[first])
        let e = Int(ends[first + count - 1])
        guard e > s else { return false }
        return memchr(bytes.baseAddress! + s, 0, e - s) != nil
    }
}

/// Why a reader could not read a line as a record.
public enum RowFlaw: Sendable, Equatable {
    /// A quote opened on this line runs into the following lines and ends in a record of the wrong width
    /// (or never closes): the line is read alone, split at its delimiters, and must not be loaded.
    case unclosedQuote(detail: String)

    public var rule: String { "unclosed_quote" }

    public var reason: String {
        switch self {
        case .unclosedQuote(let detail):
            return "a quote opened on this line is not closed on it: \(detail); the line is read alone and set aside"
        }
    }
}

/// Whether a reader hands broken rows to its caller (row checks, which quarantine them) or stops at the first.
public enum FlawedRows: Sendable {
    case refuse, deliver
}

/// The bytes of one field, with the small parsing helpers every check needs.
public struct FieldBytes {
    public let buffer: UnsafeBufferPointer<UInt8>

    @inline(__always) public init(_ buffer: UnsafeBufferPointer<UInt8>) { self.buffer = buffer }

    @inline(__always) public var count: Int { buffer.count }
    @inline(__always) public var isEmpty: Bool { buffer.isEmpty }
    @inline(__always) public subscript(_ i: Int) -> UInt8 { buffer[i] }

    public var string: String { String(decoding: buffer, as: UTF8.self) }

    /// Without leading and trailing spaces and tabs, as CSV producers pad fields.
    @inline(__always)
    public var trimmed: FieldBytes {
        var s = 0
        var e = buffer.count
        while s < e, buffer[s] == 32 || buffer[s] == 9 { s += 1 }
        while e > s, buffer[e - 1] == 32 || buffer[e - 1] == 9 { e -= 1 }
        if s == 0 && e == buffer.count { return self }
        return FieldBytes(UnsafeBufferPointer(rebasing: buffer[s..<e]))
    }
}
