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
/// Reads the file in fixed-size chunks so memory stays flat however large the file is.
public final class CSVReader {
    public let url: URL
    public let delimiter: UInt8
    public let maxFieldBytes: Int
    public private(set) var header: [String] = []
    /// The file is a heal artifact whose first column carries each row's source line.
    public private(set) var carriesSourceLines = false

    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var eof = false
    private var line = 1
    private var rowNumber = 0
    private var field: [UInt8] = []

    public init(url: URL, delimiter: UInt8 = UInt8(ascii: ","), maxFieldBytes: Int = 1 << 20, hasHeader: Bool = true) throws {
        self.url = url
        self.delimiter = delimiter
        self.maxFieldBytes = maxFieldBytes
        do {
            handle = try FileHandle(forReadingFrom: url)
        } catch {
            throw CSVError(file: url.path, line: 0, problem: "cannot open the file (\(error.localizedDescription))")
        }
        try fill()
        if buffer.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
        if hasHeader {
            if let first = try nextFields() {
                header = first.fields.map { $0.trimmingCharacters(in: .whitespaces) }
                if header.first == CSVWriter.sourceLineColumn {
                    carriesSourceLines = true
                    header.removeFirst()
                }
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

    private func fill() throws {
        guard !eof else { return }
        if position > 0 {
            buffer.removeFirst(position)
            position = 0
        }
        let chunk = try handle.read(upToCount: 1 << 16) ?? Data()
        if chunk.isEmpty { eof = true } else { buffer.append(contentsOf: chunk) }
    }

    @inline(__always) private func peek() throws -> UInt8? {
        if position >= buffer.count {
            try fill()
            if position >= buffer.count { return nil }
        }
        return buffer[position]
    }

    private func takeField(into fields: inout [String]) throws {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
    }

    private func appendByte(_ byte: UInt8) throws {
        field.append(byte)
        if field.count > maxFieldBytes {
            throw CSVError(file: url.path, line: line, problem: "a field is longer than \(maxFieldBytes) bytes; the file is probably malformed (an unterminated quote?)")
        }
    }

    private func nextFields() throws -> CSVRecord? {
        let quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")
        guard try peek() != nil else { return nil }
        let startLine = line
        var fields: [String] = []
        field.removeAll(keepingCapacity: true)
        var atFieldStart = true
        while true {
            guard let byte = try peek() else {
                try takeField(into: &fields)
                break
            }
            if atFieldStart && byte == quote {
                position += 1
                let quoteLine = line
                // Quoted field: runs to the closing quote; "" is a literal quote.
                while true {
                    guard let b = try peek() else {
                        throw CSVError(file: url.path, line: quoteLine, problem: "a quoted field opened on this line is never closed; expected a closing \" before the end of the file")
                    }
                    position += 1
                    if b == quote {
                        if try peek() == quote {
                            position += 1
                            try appendByte(quote)
                        } else {
                            break
                        }
                    } else {
                        if b == lf { line += 1 } else if b == cr, try peek() != lf { line += 1 }
                        try appendByte(b)
                    }
                }
                atFieldStart = false
                continue
            }
            position += 1
            if byte == delimiter {
                try takeField(into: &fields)
                atFieldStart = true
            } else if byte == lf || byte == cr {
                if byte == cr, try peek() == lf { position += 1 }
                line += 1
                try takeField(into: &fields)
                break
            } else {
                try appendByte(byte)
                atFieldStart = false
            }
        }
        rowNumber += 1
        return CSVRecord(fields: fields, line: startLine, row: rowNumber)
    }
}
