import Foundation

/// A malformed CSV file: names the file and the physical line where the problem starts.
public struct CSVError: Error, CustomStringConvertible, Sendable {
    public var file: String
    public var line: Int
    public var problem: String
    public var description: String { "\(file):\(line): \(problem)" }
}

/// One CSV record with its line in the original source file and its 1-based data row number.
public struct CSVRecord: Sendable {
    public var fields: [String]
    /// The line the record starts on in the file the run fetched, even when read from a later artifact.
    public var line: Int
    public var row: Int
}

/// Streaming RFC 4180 reader: quoted fields, doubled quotes, embedded line breaks, CRLF/LF/CR, UTF-8 BOM.
///
/// Reads 1 MiB chunks and scans bytes in place: an unquoted field becomes a String straight from the buffer.
/// A record cut by the end of a chunk is parsed again once the next chunk is in, so memory stays flat.
public final class CSVReader {
    public let url: URL
    public let delimiter: UInt8
    public let maxFieldBytes: Int
    public private(set) var header: [String] = []
    /// The file is a heal artifact whose first column carries each row's source line.
    public private(set) var carriesSourceLines = false

    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    private var line = 1
    private var rowNumber = 0
    private let chunk: Int

    /// `chunkSize` is how much is read at a time (tests make it tiny to cut records at every byte).
    public init(url: URL, delimiter: UInt8 = UInt8(ascii: ","), maxFieldBytes: Int = 1 << 20, hasHeader: Bool = true, chunkSize: Int = 1 << 20) throws {
        self.url = url
        chunk = max(1, chunkSize)
        self.delimiter = delimiter
        self.maxFieldBytes = maxFieldBytes
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw CSVError(file: url.path, line: 0, problem: "cannot open the file (\(error.localizedDescription))")
        }
        buffer.reserveCapacity(min(chunk, 1 << 20) * 2)
        while buffer.count < 3 && !eof { try fill() }
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { start = 3 }
        if hasHeader, let first = try nextFields() {
            header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
            if header.first == CSVWriter.sourceLineColumn {
                carriesSourceLines = true
                header.removeFirst()
            }
            rowNumber = 0
        }
    }

    deinit { try? handle.close() }

    /// The next data record, or nil at the end of the file.
    public func next() throws -> CSVRecord? {
        guard var record = try nextFields() else { return nil }
        if carriesSourceLines, !record.fields.isEmpty {
            let carried = record.fields.removeFirst()
            if let line = Int(carried) { record.line = line }
        }
        return record
    }

    /// Drops what was consumed and appends the next chunk.
    private func fill() throws {
        guard !eof else { return }
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        let data = try handle.read(upToCount: chunk) ?? Data()
        if data.isEmpty { eof = true } else { buffer.append(contentsOf: data) }
    }

    private enum Parse {
        case record([String], end: Int, lines: Int)
        case needMore
    }

    private func nextFields() throws -> CSVRecord? {
        while true {
            if start >= buffer.count {
                if eof { return nil }
                try fill()
                continue
            }
            switch try parse() {
            case .record(let fields, let end, let lines):
                start = end
                rowNumber += 1
                let record = CSVRecord(fields: fields, line: line, row: rowNumber)
                line += lines
                return record
            case .needMore:
                if buffer.count - start > max(maxFieldBytes, 1 << 20) * 8 {
                    throw CSVError(file: url.path, line: line, problem: "a record is longer than \(max(maxFieldBytes, 1 << 20) * 8) bytes; the file is probably malformed (an unterminated quote?)")
                }
                try fill()
            }
        }
    }

    /// Parses one record starting at `start`, or asks for more bytes when the chunk ends inside it.
    private func parse() throws -> Parse {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        let delimiter = self.delimiter, eof = self.eof, maxField = maxFieldBytes, firstLine = line
        let file = url.path
        return try buffer.withUnsafeBufferPointer { b throws -> Parse in
            let n = b.count
            var i = start
            var fields: [String] = []
            var lines = 0
            func tooLong(_ at: Int) -> CSVError {
                CSVError(file: file, line: firstLine + lines, problem: "a field is longer than \(maxField) bytes; the file is probably malformed (an unterminated quote?)")
            }
            while true {
                var field: String
                if i < n && b[i] == quote {
                    let quoteLine = firstLine + lines
                    i += 1
                    var bytes: [UInt8] = []
                    var segment = i
                    while true {
                        guard i < n else {
                            if eof {
                                throw CSVError(file: file, line: quoteLine, problem: "a quoted field opened on this line is never closed; expected a closing \" before the end of the file")
                            }
                            return .needMore
                        }
                        let c = b[i]
                        if c == quote {
                            if i + 1 >= n && !eof { return .needMore }
                            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[segment..<i]))
                            if i + 1 < n && b[i + 1] == quote {
                                bytes.append(quote)
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
                            if i + 1 >= n && !eof { return .needMore }
                            if !(i + 1 < n && b[i + 1] == lf) { lines += 1 }
                        }
                        i += 1
                        if bytes.count + (i - segment) > maxField { throw tooLong(i) }
                    }
                    // Bytes after the closing quote, up to the delimiter, are kept (lenient, as most readers are).
                    let tail = i
                    while i < n && b[i] != delimiter && b[i] != lf && b[i] != cr { i += 1 }
                    if i >= n && !eof { return .needMore }
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: b[tail..<i]))
                    field = String(decoding: bytes, as: UTF8.self)
                } else {
                    let segment = i
                    while i < n {
                        let c = b[i]
                        if c == delimiter || c == lf || c == cr { break }
                        i += 1
                    }
                    if i - segment > maxField { throw tooLong(i) }
                    if i >= n && !eof { return .needMore }
                    field = String(decoding: UnsafeBufferPointer(rebasing: b[segment..<i]), as: UTF8.self)
                }
                fields.append(field)
                guard i < n else { return .record(fields, end: i, lines: lines) }
                let c = b[i]
                if c == delimiter {
                    i += 1
                    continue
                }
                if c == cr {
                    if i + 1 >= n && !eof { return .needMore }
                    i += 1
                    if i < n && b[i] == lf { i += 1 }
                } else {
                    i += 1
                }
                return .record(fields, end: i, lines: lines + 1)
            }
        }
    }
}
