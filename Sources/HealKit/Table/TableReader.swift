import Foundation

/// A malformed data file (CSV or JSON): names the file and the line where the problem starts.
public struct TableError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var problem: String
    public var description: String { "\(file):\(line): \(problem)" }
}

/// One record with its line in the original source file and its 1-based data row number.
public struct CSVRecord: Sendable {
    public var fields: [String]
    /// The line the record starts on in the file the run fetched, even when read from a later artifact.
    public var line: Int
    public var row: Int
}

/// The one streaming interface every file shape is read through: a header, then batches of rows.
public protocol TableReader: AnyObject {
    var header: [String] { get }
    /// The next batch of rows, or nil at the end; memory stays at one batch whatever the file's size.
    func nextBatch() throws -> RowBatch?
    /// What the reader passed over that is not a row (blank lines, title lines) or made a row whole (empty
    /// trailing fields): complete once the last batch has been read.
    var notes: ReadNotes { get }
}

/// Lines a reader skipped and rows it trimmed, counted so a step's details can name them: nothing is dropped unseen.
public struct ReadNotes: Sendable, Equatable {
    public var blankLines = 0
    /// Rows whose fields beyond the header's were all empty (an export quirk): read as whole rows.
    public var paddedRows = 0
    /// Lines above the header (a spreadsheet's title block).
    public var titleLines = 0
    public init() {}

    public var figures: [String: Int] {
        var out: [String: Int] = [:]
        if blankLines > 0 { out["blank_lines"] = blankLines }
        if paddedRows > 0 { out["padded_rows"] = paddedRows }
        if titleLines > 0 { out["title_lines"] = titleLines }
        return out
    }

    /// "; 2 blank lines skipped, 3 rows had empty fields past the header's (read as whole rows)", or "".
    public var summary: String {
        var parts: [String] = []
        if titleLines > 0 { parts.append("\(Noun.count(titleLines, "title line")) above the header skipped") }
        if blankLines > 0 { parts.append("\(Noun.count(blankLines, "blank line")) skipped") }
        if paddedRows > 0 { parts.append("\(Noun.count(paddedRows, "row")) had only empty fields past the header's (read as whole rows)") }
        return parts.isEmpty ? "" : "; " + parts.joined(separator: ", ")
    }
}

extension TableReader {
    /// Readers that skip nothing (JSON) have nothing to note.
    public var notes: ReadNotes { ReadNotes() }

    /// Calls `body` for every remaining row.
    public func forEachRow(_ body: (RowView) throws -> Void) throws {
        while let batch = try nextBatch() { try batch.forEach(body) }
    }
}

/// Opens any artifact with the format it was read with, leaving out rows an earlier step moved to quarantine.
public enum Tables {
    public static func open(_ artifact: Artifact, flaws: FlawedRows = .refuse) throws -> any TableReader {
        if let stream = artifact.stream { return try stream.open() }
        let reader = try open(artifact.url, format: artifact.format ?? TableFormat(), excluding: artifact.excluded, flaws: flaws)
        guard let header = artifact.header, header.count == reader.header.count else { return reader }
        return RenamedHeader(reader, header: header)
    }

    public static func open(
        _ url: URL,
        format: TableFormat,
        excluding excluded: RowSet? = nil,
        flaws: FlawedRows = .refuse
    ) throws -> any TableReader {
        switch format.kind {
        case .csv: return try CSVReader(url: url, format: format, excluding: excluded, flaws: flaws)
        case .jsonl, .json: return try JSONReader(url: url, format: format, excluding: excluded)
        }
    }
}

/// Data row numbers, sorted: the rows of a file that a quarantine moved aside.
public struct RowSet: Sendable, Equatable, Codable {
    public private(set) var rows: [Int] = []

    public init(_ rows: [Int] = []) { self.rows = rows.sorted() }

    public var count: Int { rows.count }
    public var isEmpty: Bool { rows.isEmpty }

    public func contains(_ row: Int) -> Bool {
        var low = 0
        var high = rows.count
        while low < high {
            let mid = (low + high) / 2
            if rows[mid] < row { low = mid + 1 } else { high = mid }
        }
        return low < rows.count && rows[low] == row
    }

    /// Adds a row; rows arrive in file order, so this is an append.
    public mutating func insert(_ row: Int) {
        if let last = rows.last, last >= row {
            if !contains(row) {
                rows.append(row)
                rows.sort()
            }
        } else {
            rows.append(row)
        }
    }

    public func union(_ other: RowSet) -> RowSet {
        RowSet(Array(Set(rows).union(other.rows)))
    }
}

/// A reader whose columns go by other names (aliases read as the contract's names); rows pass through untouched.
final class RenamedHeader: TableReader {
    let header: [String]
    private let inner: any TableReader

    init(_ inner: any TableReader, header: [String]) {
        self.inner = inner
        self.header = header
    }

    func nextBatch() throws -> RowBatch? { try inner.nextBatch() }
    var notes: ReadNotes { inner.notes }
}
