import Foundation

/// JSON Lines, or a top-level JSON array of objects, read as a table: nested objects flatten to dotted names
/// (`customer.id`), arrays stay JSON text, numbers keep their exact text, null is an empty field.
///
/// The columns are every key seen in the file, in first-seen order: a first pass parses every record and keeps
/// only its keys (so a malformed record fails on open, with its line), the second streams the rows.
/// Memory holds one chunk and one batch, never the whole document.
public final class JSONReader: TableReader {
    public let url: URL
    public let format: TableFormat
    public private(set) var header: [String] = []

    private var scanner: JSONRecordScanner
    private var columns: [String: Int] = [:]
    private let excluded: RowSet?
    private var rowNumber = 0

    public init(url: URL, format: TableFormat, excluding excluded: RowSet? = nil) throws {
        self.url = url
        self.format = format
        self.excluded = excluded
        var keys = JSONRecordScanner(url: url, format: format, source: try TableFormat.openBytes(url, format: format))
        var seen: [String: Int] = [:]
        var order: [String] = []
        var records = 0
        while let record = try keys.nextRecord() {
            records += 1
            if records > format.limits.maxRows {
                throw format.limits.tooManyRows(file: url.path, line: record.line, noun: "records")
            }
            for (key, _) in try record.fields() where seen[key] == nil {
                seen[key] = order.count
                order.append(key)
            }
        }
        header = order
        columns = seen
        scanner = JSONRecordScanner(url: url, format: format, source: try TableFormat.openBytes(url, format: format))
    }

    public func nextBatch() throws -> RowBatch? {
        var batch = RowBatch()
        var values = [String?](repeating: nil, count: header.count)
        while batch.count < CSVReader.batchRows, let record = try scanner.nextRecord() {
            rowNumber += 1
            if rowNumber > format.limits.maxRows {
                throw format.limits.tooManyRows(file: url.path, line: record.line, noun: "records")
            }
            if let excluded, excluded.contains(rowNumber) { continue }
            for i in values.indices { values[i] = nil }
            for (key, value) in try record.fields() {
                if let index = columns[key] { values[index] = value }
            }
            for value in values { batch.appendField(value ?? "") }
            batch.endRow(line: record.line, row: rowNumber)
        }
        return batch.isEmpty ? nil : batch
    }
}

/// One top-level record's bytes and the line it starts on.
struct JSONRecord {
    var bytes: [UInt8]
    var line: Int
    var file: String

    /// The flattened (dotted name, text) pairs of an object record.
    func fields() throws -> [(String, String?)] {
        var parser = JSONValueParser(bytes: bytes, line: line, file: file)
        return try parser.flattenedObject()
    }
}

/// Splits a JSON Lines file or a JSON array into top-level records without parsing them.
struct JSONRecordScanner {
    let url: URL
    let format: TableFormat
    let source: ByteSource
    private var buffer: [UInt8] = []
    private var start = 0
    private var eof = false
    private var line = 1
    private var openedArray = false
    private var closedArray = false

    init(url: URL, format: TableFormat, source: ByteSource) {
        self.url = url
        self.format = format
        self.source = source
    }

    private mutating func fill() throws {
        if start > 0 {
            buffer.removeFirst(start)
            start = 0
        }
        do {
            if try source.read(into: &buffer, limit: 1 << 20) == 0 { eof = true }
        } catch let error as ByteSourceError {
            throw TableError(file: url.path, line: line, problem: "\(error.problem); \(TableFormat.encodingHint(format))")
        }
    }

    private func error(_ problem: String, line: Int? = nil) -> TableError {
        TableError(file: url.path, line: line ?? self.line, problem: problem)
    }

    /// Skips whitespace (and a BOM), counting lines; false at the end of the input.
    private mutating func skipSpace() throws -> Bool {
        while true {
            while start < buffer.count {
                let c = buffer[start]
                if c == 10 {
                    line += 1
                } else if c == 0xEF && buffer.count - start >= 3 && buffer[start + 1] == 0xBB && buffer[start + 2] == 0xBF {
                    start += 3
                    continue
                } else if c != 32 && c != 9 && c != 13 {
                    return true
                }
                start += 1
            }
            if eof { return false }
            try fill()
        }
    }

    mutating func nextRecord() throws -> JSONRecord? {
        if format.kind == .json {
            if !openedArray {
                guard try skipSpace() else { throw error("the file is empty; expected a JSON array of objects") }
                guard buffer[start] == UInt8(ascii: "[") else {
                    throw error("expected a JSON array of objects ('[' first), found '\(Character(UnicodeScalar(buffer[start])))'")
                }
                start += 1
                openedArray = true
                guard try skipSpace() else { throw error("the JSON array is never closed") }
                if buffer[start] == UInt8(ascii: "]") {
                    start += 1
                    closedArray = true
                }
            } else if !closedArray {
                guard try skipSpace() else { throw error("the JSON array is never closed; expected ']' before the end of the file") }
                if buffer[start] == UInt8(ascii: "]") {
                    start += 1
                    closedArray = true
                } else if buffer[start] == UInt8(ascii: ",") {
                    start += 1
                } else {
                    throw error("expected ',' or ']' between the array's elements")
                }
            }
            if closedArray {
                if try skipSpace() { throw error("unexpected text after the JSON array's closing ']'") }
                return nil
            }
        }
        guard try skipSpace() else {
            if format.kind == .json { throw error("the JSON array is never closed; expected ']' before the end of the file") }
            return nil
        }
        let first = line
        let end = try scanValue()
        let record = JSONRecord(bytes: Array(buffer[start..<end]), line: first, file: url.path)
        start = end
        if format.kind == .jsonl, try skipInlineSpace(), buffer[start] != 10 && buffer[start] != 13 {
            throw error("more than one JSON value on this line; JSON Lines has one object per line", line: first)
        }
        return record
    }

    /// Skips spaces on the current line only; false at the end of the input.
    private mutating func skipInlineSpace() throws -> Bool {
        while true {
            while start < buffer.count {
                if buffer[start] != 32 && buffer[start] != 9 { return true }
                start += 1
            }
            if eof { return false }
            try fill()
        }
    }

    /// The end offset of the value at `start`, reading more input as needed; counts the lines it spans.
    private mutating func scanValue() throws -> Int {
        let first = line
        while true {
            var i = start
            var depth = 0
            var inString = false
            var escaped = false
            var lines = 0
            var complete = false
            let n = buffer.count
            scan: while i < n {
                let c = buffer[i]
                if inString {
                    if escaped {
                        escaped = false
                    } else if c == UInt8(ascii: "\\") {
                        escaped = true
                    } else if c == UInt8(ascii: "\"") {
                        inString = false
                        if depth == 0 {
                            i += 1
                            complete = true
                            break scan
                        }
                    }
                    if c == 10 { lines += 1 }
                    i += 1
                    continue
                }
                switch c {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 {
                        complete = true
                        break scan
                    }
                    depth -= 1
                    if depth == 0 {
                        i += 1
                        complete = true
                        break scan
                    }
                case UInt8(ascii: ","), 10, 13, 32, 9:
                    if depth == 0 {
                        complete = true
                        break scan
                    }
                    if c == 10 { lines += 1 }
                default: break
                }
                if i - start > format.maxFieldBytes * 8 {
                    throw error(
                        "a record is longer than \(format.maxFieldBytes * 8) bytes; the file is probably malformed (an unclosed brace or string?)",
                        line: first
                    )
                }
                i += 1
            }
            if complete || eof {
                if !complete && (inString || depth > 0) {
                    throw error(
                        inString
                            ? "a string opened in this record is never closed" : "an object or array opened in this record is never closed",
                        line: first
                    )
                }
                line += lines
                return i
            }
            try fill()
        }
    }
}

/// A strict recursive-descent JSON parser over one record's bytes.
struct JSONValueParser {
    let bytes: [UInt8]
    let line: Int
    let file: String
    var i = 0

    init(bytes: [UInt8], line: Int, file: String) {
        self.bytes = bytes
        self.line = line
        self.file = file
    }

    private var currentLine: Int { line + bytes[..<min(i, bytes.count)].reduce(0) { $0 + ($1 == 10 ? 1 : 0) } }

    private func error(_ problem: String) -> TableError {
        TableError(file: file, line: currentLine, problem: problem)
    }

    mutating func flattenedObject() throws -> [(String, String?)] {
        skip()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "{") else {
            throw error(
                "expected a JSON object for this record, found \(i < bytes.count ? "'\(Character(UnicodeScalar(bytes[i])))'" : "nothing")"
            )
        }
        var out: [(String, String?)] = []
        try object(prefix: "", into: &out)
        skip()
        guard i == bytes.count else { throw error("unexpected text after the record's closing '}'") }
        return out
    }

    private mutating func skip() {
        while i < bytes.count, bytes[i] == 32 || bytes[i] == 9 || bytes[i] == 10 || bytes[i] == 13 { i += 1 }
    }

    private mutating func expect(_ c: Character) throws {
        skip()
        guard i < bytes.count, bytes[i] == c.asciiValue! else { throw error("expected '\(c)'") }
        i += 1
    }

    private mutating func object(prefix: String, into out: inout [(String, String?)]) throws {
        try expect("{")
        skip()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") {
            i += 1
            return
        }
        while true {
            skip()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw error("expected a quoted key") }
            let key = prefix + (try string())
            try expect(":")
            skip()
            guard i < bytes.count else { throw error("expected a value after '\(key)':") }
            if bytes[i] == UInt8(ascii: "{") {
                try object(prefix: key + ".", into: &out)
            } else {
                out.append((key, try scalarOrArray()))
            }
            skip()
            guard i < bytes.count else { throw error("the object is never closed") }
            if bytes[i] == UInt8(ascii: ",") {
                i += 1
                continue
            }
            if bytes[i] == UInt8(ascii: "}") {
                i += 1
                return
            }
            throw error("expected ',' or '}' after the value of '\(key)'")
        }
    }

    /// A scalar's text (nil for null), or an array (or object inside one) as compact JSON text.
    private mutating func scalarOrArray() throws -> String? {
        let c = bytes[i]
        switch c {
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "["), UInt8(ascii: "{"):
            let from = i
            try skipComposite()
            return String(decoding: bytes[from..<i], as: UTF8.self)
        case UInt8(ascii: "t"):
            try literal("true")
            return "true"
        case UInt8(ascii: "f"):
            try literal("false")
            return "false"
        case UInt8(ascii: "n"):
            try literal("null")
            return nil
        default: return try number()
        }
    }

    private mutating func literal(_ word: String) throws {
        for b in word.utf8 {
            guard i < bytes.count, bytes[i] == b else { throw error("expected \(word)") }
            i += 1
        }
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`, kept as written.
    private mutating func number() throws -> String {
        let from = i
        func digits() -> Int {
            let s = i
            while i < bytes.count, bytes[i] >= 48, bytes[i] <= 57 { i += 1 }
            return i - s
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "-") { i += 1 }
        let intDigits = digits()
        guard intDigits > 0, !(intDigits > 1 && bytes[from + (bytes[from] == UInt8(ascii: "-") ? 1 : 0)] == 48) else {
            throw error("not a JSON value (expected a string, number, true, false, null, object or array)")
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw error("a number needs digits after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            guard digits() > 0 else { throw error("a number needs digits in its exponent") }
        }
        return String(decoding: bytes[from..<i], as: UTF8.self)
    }

    private mutating func skipComposite() throws {
        var depth = 0
        var inString = false
        var escaped = false
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            if inString {
                if escaped {
                    escaped = false
                } else if c == UInt8(ascii: "\\") {
                    escaped = true
                } else if c == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch c {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"): depth += 1
            case UInt8(ascii: "]"), UInt8(ascii: "}"):
                depth -= 1
                if depth == 0 { return }
            default: break
            }
        }
        throw error("an array is never closed")
    }

    private mutating func string() throws -> String {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            switch c {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                            throw error("an unpaired \\u surrogate in a string")
                        }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("an unpaired \\u surrogate in a string") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw error("an unpaired \\u surrogate in a string")
                    }
                    TranscodedBytes.appendUTF8(scalar, to: &out)
                default: throw error("an invalid escape '\\\(Character(UnicodeScalar(e)))' in a string")
                }
            case 0..<0x20: throw error("a control character inside a string (JSON needs it escaped)")
            default: out.append(c)
            }
        }
        throw error("a string is never closed")
    }

    private mutating func hex4() throws -> UInt32 {
        guard i + 4 <= bytes.count, let value = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16) else {
            throw error("\\u needs four hex digits")
        }
        i += 4
        return value
    }
}
