import Foundation

/// Streaming RFC 4180 reader: quoted fields, doubled quotes, embedded line breaks, CRLF/LF/CR, a BOM,
/// any single-byte delimiter, over any byte source (plain, gzip, transcoded).
///
/// Scans 1 MiB chunks in place and copies field bytes into a `RowBatch`; no String per field.
/// A record cut by the end of a chunk is rolled back and parsed again once the next chunk is in.
public final class CSVReader: TableReader {
    public let url: URL
    public let format: TableFormat
    /// `url.path`, computed once: URL's getter is costly on Linux and errors are built in the hot loop.
    private let file: String
    public private(set) var header: [String] = []
    /// The file is a heal artifact whose first column carries each row's source line.
    public private(set) var carriesSourceLines = false

    private let source: ByteSource
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    private var line = 1
    private var rowNumber = 0
    private let chunk: Int
    private let excluded: RowSet?
    private var pending: [CSVRecord] = []
    /// An error met after some rows of a batch: thrown on the next call, once those rows are delivered.
    private var failure: (any Error)?
    private var pendingIndex = 0
    /// Broken lines (an unclosed quote) are handed over flagged, or stop the read with an error.
    private let flawPolicy: FlawedRows
    /// The header is never subject to exclusions: excluded rows are data rows.
    private var readingHeader = false
    /// Fields a record should have (the header's, or the first record's); 0 until known.
    private var expectedWidth = 0
    public private(set) var notes = ReadNotes()
    /// Rows per batch: enough to amortise the per-batch work, small enough to stay in cache.
    static let batchRows = 4096

    /// `chunkSize` is how much is read at a time (tests make it tiny to cut records at every byte).
    public init(
        url: URL,
        format: TableFormat = TableFormat(),
        excluding excluded: RowSet? = nil,
        flaws: FlawedRows = .refuse,
        chunkSize: Int = 1 << 20
    ) throws {
        self.url = url
        self.flawPolicy = flaws
        self.format = format
        file = url.path
        chunk = max(1, chunkSize)
        source = try TableFormat.openBytes(url, format: format)
        self.excluded = excluded
        buffer.reserveCapacity(min(chunk, 1 << 20) * 2)
        while buffer.count < 3 && !eof { try fill() }
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        try skipTitleLines(format.titleLines)
        if format.hasHeader {
            var batch = RowBatch()
            readingHeader = true
            defer { readingHeader = false }
            if try parseRecord(into: &batch) {
                header = batch.records[0].fields.map { $0.trimmingCharacters(in: .whitespaces) }
                // `a,b,c,,`: a spreadsheet's empty cells past the last named column are no columns.
                while header.count > 1, header.last == "" { header.removeLast() }
                if header.first == CSVWriter.sourceLineColumn {
                    carriesSourceLines = true
                    header.removeFirst()
                }
                expectedWidth = header.count + (carriesSourceLines ? 1 : 0)
            }
            rowNumber = 0
        }
    }

    /// Passes over the lines of a title block above the header (found by `TableFormat.detect`).
    private func skipTitleLines(_ count: Int) throws {
        var left = count
        while left > 0 {
            if start >= buffer.count {
                if eof { return }
                try fill()
                continue
            }
            let b = buffer[start]
            if b == UInt8(ascii: "\r") {
                if start + 1 >= buffer.count && !eof {
                    try fill()
                    continue
                }
                start += 1
                if start < buffer.count && buffer[start] == UInt8(ascii: "\n") { start += 1 }
            } else if b == UInt8(ascii: "\n") {
                start += 1
            } else {
                start += 1
                continue
            }
            line += 1
            left -= 1
            notes.titleLines += 1
        }
    }

    public func nextBatch() throws -> RowBatch? {
        if let failure { throw failure }
        var batch = RowBatch()
        batch.reserve(rows: CSVReader.batchRows, bytes: 1 << 18)
        do {
            while batch.count < CSVReader.batchRows, try parseRecord(into: &batch) {}
        } catch {
            // The rows before the error come first; the error follows on the next call.
            failure = error
            if batch.isEmpty { throw error }
        }
        return batch.isEmpty ? nil : batch
    }

    /// The next data record as Strings, for the paths where speed does not matter.
    public func next() throws -> CSVRecord? {
        if pendingIndex == pending.count {
            guard let batch = try nextBatch() else { return nil }
            pending = batch.records
            pendingIndex = 0
        }
        pendingIndex += 1
        return pending[pendingIndex - 1]
    }

    /// Drops what was consumed and appends the next chunk.
    private func fill() throws {
        guard !eof else { return }
        if start > 0 {
            consumedBefore += start
            buffer.removeFirst(start)
            start = 0
        }
        do {
            if try source.read(into: &buffer, limit: chunk) == 0 { eof = true }
        } catch let error as ByteSourceError {
            throw TableError(
                file: url.path,
                line: line + newlines(before: error.offset),
                problem: "\(error.problem); \(TableFormat.encodingHint(format))"
            )
        }
    }

    /// Lines between the current record and a byte offset of the decoded stream (for errors below the parser).
    private var consumedBefore = 0
    private func newlines(before offset: Int) -> Int {
        let end = min(buffer.count, max(start, offset - consumedBefore))
        return buffer[start..<end].reduce(0) { $0 + ($1 == 10 ? 1 : 0) }
    }

    /// Parses the next record into `batch` (skipping excluded rows); false at the end of the file.
    private func parseRecord(into batch: inout RowBatch) throws -> Bool {
        while true {
            if start >= buffer.count {
                if eof { return false }
                try fill()
                continue
            }
            let mark = batch.mark
            var flaw: RowFlaw?
            var end = 0
            var lines = 0
            switch try parse(into: &batch) {
            case .incomplete:
                batch.rollBack(to: mark)
                let limit = max(format.maxFieldBytes, 1 << 20) * 8
                if buffer.count - start > limit {
                    throw TableError(
                        file: url.path,
                        line: line,
                        problem: "a record is longer than \(limit) bytes; the file is probably malformed (an unterminated quote?)"
                    )
                }
                try fill()
                continue
            case .unclosed:
                batch.rollBack(to: mark)
                guard let broken = try brokenLine(into: &batch) else { continue }
                (end, lines) = broken
                flaw = .unclosedQuote(detail: "it is never closed (not before the end of the file, nor within max_field_bytes)")
            case .record(let recordEnd, let recordLines, let quotedLines):
                var fields = batch.starts.count - mark.fields
                // A blank line, or a record of empty fields only (`,,,,`), holds no data: skipped and counted.
                // A one-column file keeps them, where an empty line is an empty value.
                // The first field's emptiness is tested first: for nearly every record it settles the question.
                // A quote anywhere in it (`""`) makes it a record of empty values, not a blank line.
                if batch.starts[mark.fields] == batch.ends[mark.fields], expectedWidth != 1,
                    (mark.fields..<batch.starts.count).allSatisfy({ batch.starts[$0] == batch.ends[$0] }),
                    !buffer[start..<recordEnd].contains(format.quote)
                {
                    batch.rollBack(to: mark)
                    start = recordEnd
                    line += recordLines
                    notes.blankLines += 1
                    continue
                }
                if expectedWidth > 0, fields > expectedWidth, !readingHeader,
                    (mark.fields + expectedWidth..<batch.starts.count).allSatisfy({ batch.starts[$0] == batch.ends[$0] })
                {
                    // Empty fields past the header's are an export quirk, not data: the row is whole without them.
                    batch.starts.removeLast(fields - expectedWidth)
                    batch.ends.removeLast(fields - expectedWidth)
                    notes.paddedRows += 1
                    fields = expectedWidth
                }
                if quotedLines > 0, expectedWidth > 0, fields != expectedWidth, !readingHeader {
                    // A stray quote ran over line breaks and made a ragged record: re-read its first line alone,
                    // so only that line is set aside and the rows after it are read as rows.
                    batch.rollBack(to: mark)
                    guard let broken = try brokenLine(into: &batch) else { continue }
                    (end, lines) = broken
                    flaw = .unclosedQuote(
                        detail:
                            "read as one record it runs over \(Noun.count(quotedLines + 1, "line")) into \(fields) fields where the header has \(expectedWidth)"
                    )
                } else {
                    (end, lines) = (recordEnd, recordLines)
                }
            }
            if readingHeader, flaw != nil {
                throw TableError(
                    file: url.path,
                    line: line,
                    problem: "the header has a quote that is never closed; expected a closing \" on the header line"
                )
            }
            start = end
            let recordLine = line
            line += lines
            if readingHeader {
                batch.endRow(line: recordLine, row: 0)
                return true
            }
            rowNumber += 1
            if rowNumber > format.limits.maxRows {
                throw format.limits.tooManyRows(file: url.path, line: recordLine)
            }
            if expectedWidth == 0 { expectedWidth = batch.starts.count - mark.fields }
            if let excluded, excluded.contains(rowNumber) {
                batch.rollBack(to: mark)
                continue
            }
            if let flaw, flawPolicy == .refuse {
                batch.rollBack(to: mark)
                throw TableError(
                    file: url.path,
                    line: recordLine,
                    problem: "\(flaw.reason); quarantine the line (a validate_schema step with parse_error: [quarantine]) or fix the quote"
                )
            }
            var sourceLine = recordLine
            if carriesSourceLines, batch.starts.count > mark.fields {
                // The hidden first field is the row's line in the fetched file.
                var value = 0
                for i in Int(batch.starts[mark.fields])..<Int(batch.ends[mark.fields]) { value = value * 10 + Int(batch.bytes[i] &- 48) }
                sourceLine = value
                batch.starts.remove(at: mark.fields)
                batch.ends.remove(at: mark.fields)
            }
            batch.endRow(line: sourceLine, row: rowNumber, flaw: flaw)
            return true
        }
    }

    /// The physical line at `start`, split at every delimiter with quotes taken as text: (end offset, 1);
    /// nil when more of the file must be read first.
    private func brokenLine(into batch: inout RowBatch) throws -> (Int, Int)? {
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        let delimiter = format.delimiter
        var i = start
        while i < buffer.count, buffer[i] != lf, buffer[i] != cr { i += 1 }
        if i >= buffer.count && !eof {
            if buffer.count - start > max(format.maxFieldBytes, 1 << 20) * 8 {
                throw TableError(
                    file: url.path,
                    line: line,
                    problem: "a line is longer than \(max(format.maxFieldBytes, 1 << 20) * 8) bytes; the file is probably not text"
                )
            }
            try fill()
            return nil
        }
        buffer.withUnsafeBufferPointer { b in
            var field = start
            for j in start...i where j == i || b[j] == delimiter {
                batch.appendField(UnsafeBufferPointer(rebasing: b[field..<j]))
                field = j + 1
            }
        }
        var end = i
        if end < buffer.count {
            end += 1
            if buffer[i] == cr && end < buffer.count && buffer[end] == lf { end += 1 }
        }
        return (end, 1)
    }

    enum Parsed {
        /// A whole record: its end offset, the lines it spans, the line breaks inside quoted fields.
        case record(end: Int, lines: Int, quotedLines: Int)
        /// The chunk ends inside the record: read more and parse again.
        case incomplete
        /// A quoted field that never closes, or grows past max_field_bytes across lines.
        case unclosed
    }

    /// Parses one record starting at `start` into `batch`.
    private func parse(into batch: inout RowBatch) throws -> Parsed {
        let quote = format.quote
        let cr = UInt8(ascii: "\r")
        let lf = UInt8(ascii: "\n")
        let delimiter = format.delimiter
        let eof = self.eof
        let maxField = format.maxFieldBytes
        let firstLine = line
        let file = self.file
        return try buffer.withUnsafeBufferPointer { b throws -> Parsed in
            let n = b.count
            var i = start
            var lines = 0
            func tooLong() -> TableError {
                TableError(
                    file: file,
                    line: firstLine + lines,
                    problem:
                        "a field is longer than \(maxField) bytes (max_field_bytes); the file is probably malformed (an unterminated quote?)"
                )
            }
            while true {
                if i < n && b[i] == quote {
                    i += 1
                    batch.starts.append(Int32(batch.bytes.count))
                    var segment = i
                    var length = 0
                    while true {
                        guard i < n else { return eof ? .unclosed : .incomplete }
                        let c = b[i]
                        if c == quote {
                            if i + 1 >= n && !eof { return .incomplete }
                            batch.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[segment..<i]))
                            length += i - segment
                            if i + 1 < n && b[i + 1] == quote {
                                batch.bytes.append(quote)
                                length += 1
                                i += 2
                                segment = i
                                continue
                            }
                            i += 1
                            break
                        }
                        if c == lf {
                            lines += 1
                        } else if c == cr {
                            if i + 1 >= n && !eof { return .incomplete }
                            if !(i + 1 < n && b[i + 1] == lf) { lines += 1 }
                        }
                        i += 1
                        if length + (i - segment) > maxField {
                            if lines > 0 { return .unclosed }
                            throw tooLong()
                        }
                    }
                    // Bytes after the closing quote, up to the delimiter, are kept (lenient, as most readers are).
                    let tail = i
                    while i < n && b[i] != delimiter && b[i] != lf && b[i] != cr { i += 1 }
                    if i >= n && !eof { return .incomplete }
                    batch.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[tail..<i]))
                    batch.ends.append(Int32(batch.bytes.count))
                } else {
                    let segment = i
                    while i < n {
                        let c = b[i]
                        if c == delimiter || c == lf || c == cr { break }
                        i += 1
                    }
                    if i - segment > maxField { throw tooLong() }
                    if i >= n && !eof { return .incomplete }
                    batch.appendField(UnsafeBufferPointer(rebasing: b[segment..<i]))
                }
                guard i < n else { return .record(end: i, lines: lines, quotedLines: lines) }
                let c = b[i]
                if c == delimiter {
                    i += 1
                    continue
                }
                if c == cr {
                    if i + 1 >= n && !eof { return .incomplete }
                    i += 1
                    if i < n && b[i] == lf { i += 1 }
                } else {
                    i += 1
                }
                return .record(end: i, lines: lines + 1, quotedLines: lines)
            }
        }
    }
}
