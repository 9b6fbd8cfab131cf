import Foundation

/// How a file is read: its shape, delimiter, encoding and compression. Detected, or set by a contract's `format:`.
public struct TableFormat: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, CaseIterable, Codable {
        case csv, jsonl, json
    }

    public var kind: Kind = .csv
    public var delimiter: UInt8 = UInt8(ascii: ",")
    public var quote: UInt8 = UInt8(ascii: "\"")
    public var encoding: TextEncoding = .utf8
    public var gzip = false
    public var maxFieldBytes = 1 << 20
    public var hasHeader = true
    /// Lines above the header (a spreadsheet export's title block), found from the content.
    public var titleLines = 0
    /// Whether the encoding was stated (then invalid text is an error) or guessed from a sample.
    public var encodingDeclared = false
    /// Bounds on the work one file may cause (a gzip bomb, a file of blank lines); beyond one the file is refused.
    public var limits = InputLimits()

    public init() {}

    /// "UTF-8 CSV, ';'", "gzip windows-1252 CSV, tab", "JSON Lines".
    public var summary: String {
        var parts: [String] = []
        if gzip { parts.append("gzip") }
        switch kind {
        case .csv:
            let d: String
            switch delimiter {
            case 9: d = "tab"
            default: d = "'\(Character(UnicodeScalar(delimiter)))'"
            }
            parts.append("\(encoding.rawValue) CSV, \(d)")
        case .jsonl: parts.append("JSON Lines")
        case .json: parts.append("JSON array")
        }
        return parts.joined(separator: " ")
    }

    /// What a contract may state; anything left nil is detected from the file.
    public struct Options: Sendable, Equatable {
        public var kind: Kind?
        public var delimiter: UInt8?
        public var encoding: TextEncoding?
        public var gzip: Bool?
        public var maxFieldBytes: Int?
        public var limits = InputLimits()
        public init() {}
    }

    static func encodingHint(_ format: TableFormat) -> String {
        format.encodingDeclared
            ? "the contract says \(format.encoding.rawValue); check the file's real encoding"
            : "the file was read as \(format.encoding.rawValue) (detected from its start); if it is another encoding, set format: { encoding: windows-1252 } (or latin-1, utf-16) in the contract"
    }

    /// The layered byte source for a file: file → gunzip → transcode to UTF-8 (or validate UTF-8).
    static func openBytes(_ url: URL, format: TableFormat) throws -> ByteSource {
        var source: ByteSource
        do {
            source = try FileBytes(url: url)
        } catch {
            throw TableError(file: url.path, line: 0, problem: "cannot open the file (\(error.localizedDescription))")
        }
        if format.gzip { source = try GzipBytes(source, limits: format.limits) }
        if format.encoding == .utf8 { return ValidatedUTF8(source) }
        return TranscodedBytes(source, encoding: format.encoding)
    }

    /// Detects compression, encoding, shape and delimiter from the first 64 KiB; `options` win where set.
    public static func detect(_ url: URL, options: Options = Options()) throws -> TableFormat {
        var format = TableFormat()
        if let max = options.maxFieldBytes { format.maxFieldBytes = max }
        format.limits = options.limits
        var sample: [UInt8] = []
        do {
            let file = try FileBytes(url: url)
            _ = try file.read(into: &sample, limit: 2)
            format.gzip = options.gzip ?? GzipBytes.isGzip(sample)
            let source: ByteSource = format.gzip ? try GzipBytes(try FileBytes(url: url), limits: format.limits) : file
            if format.gzip { sample = [] }
            while sample.count < 1 << 16, try source.read(into: &sample, limit: (1 << 16) - sample.count) > 0 {}
        } catch let error as ByteSourceError {
            throw TableError(file: url.path, line: 0, problem: error.problem)
        } catch {
            throw TableError(file: url.path, line: 0, problem: "cannot open the file (\(error.localizedDescription))")
        }
        if let encoding = options.encoding {
            format.encoding = encoding
            format.encodingDeclared = true
            // A BOM overrides the byte order a plain "utf-16" named.
            if encoding == .utf16le && sample.starts(with: [0xFE, 0xFF]) { format.encoding = .utf16be }
        } else {
            format.encoding = detectEncoding(sample)
        }
        let text = decodeSample(sample, encoding: format.encoding)
        if let kind = options.kind {
            format.kind = kind
        } else if let kind = jsonKind(text) {
            // The bytes decide, not the name: a JSON Lines file may arrive under the name the CSV had.
            format.kind = kind
        }
        if format.kind == .csv {
            format.delimiter = options.delimiter ?? sniffDelimiter(text)
            format.titleLines = titleLines(text, delimiter: format.delimiter)
        }
        return format
    }

    /// JSON Lines when the text starts with an object, a JSON array when with `[` and an object, an array or `]`.
    static func jsonKind(_ text: String) -> Kind? {
        var chars = text.unicodeScalars.drop { $0 == "\u{FEFF}" || $0.properties.isWhitespace }
        guard let first = chars.first, first == "{" || first == "[" else { return nil }
        chars = chars.dropFirst().drop { $0.properties.isWhitespace }
        if first == "{" { return chars.first == "\"" || chars.first == "}" ? .jsonl : nil }
        return chars.first == "{" || chars.first == "]" || chars.first == "[" ? .json : nil
    }

    /// Physical lines of the sample split at `delimiter` (quotes taken into account): fields and non-empty fields.
    static func lineShapes(_ text: String, delimiter: UInt8, limit: Int = 50) -> [(fields: Int, filled: Int)] {
        var shapes: [(fields: Int, filled: Int)] = []
        var fields = 1
        var filled = 0
        var fieldHasText = false
        var quoted = false
        let bytes = Array(text.utf8)
        var i = 0
        func endLine() {
            if fieldHasText { filled += 1 }
            shapes.append((fields, filled))
            fields = 1
            filled = 0
            fieldHasText = false
        }
        while i < bytes.count, shapes.count < limit {
            let b = bytes[i]
            i += 1
            if b == UInt8(ascii: "\"") {
                quoted.toggle()
                fieldHasText = true
                continue
            }
            if quoted { continue }
            if b == 13 || b == 10 {
                if b == 13 && i < bytes.count && bytes[i] == 10 { i += 1 }
                endLine()
            } else if b == delimiter {
                if fieldHasText { filled += 1 }
                fields += 1
                fieldHasText = false
            } else if b != 32 && b != 9 {
                fieldHasText = true
            }
        }
        // The last line of the sample may be cut; use it only when it is the only one.
        if shapes.isEmpty && (fields > 1 || fieldHasText) { endLine() }
        return shapes
    }

    /// The value seen most often (the larger on a tie) and how often.
    static func commonest(_ values: [Int]) -> (value: Int, times: Int)? {
        var times: [Int: Int] = [:]
        for v in values { times[v, default: 0] += 1 }
        var best: (value: Int, times: Int)?
        for (v, n) in times where best == nil || n > best!.times || (n == best!.times && v > best!.value) { best = (v, n) }
        return best
    }

    /// The lines above the header: a title block of lines with at most one filled cell (or a third of the data's
    /// width), then a header of two or more. Zero when the first line is already the header.
    static func titleLines(_ text: String, delimiter: UInt8) -> Int {
        let shapes = lineShapes(text, delimiter: delimiter)
        let wide = shapes.filter { $0.filled >= 2 }.map(\.fields)
        guard let width = commonest(wide)?.value, width >= 2 else { return 0 }
        var n = 0
        while n < shapes.count, shapes[n].filled <= 1 || shapes[n].filled * 3 <= width { n += 1 }
        guard n > 0, n < shapes.count, shapes[n].filled >= 2 else { return 0 }
        return n
    }

    /// A BOM names the encoding; zero bytes in alternate positions mean UTF-16; valid UTF-8 is UTF-8; anything else
    /// is taken as Windows-1252 (which agrees with Latin-1 on every printable character).
    static func detectEncoding(_ sample: [UInt8]) -> TextEncoding {
        if sample.starts(with: [0xEF, 0xBB, 0xBF]) { return .utf8 }
        if sample.starts(with: [0xFF, 0xFE]) { return .utf16le }
        if sample.starts(with: [0xFE, 0xFF]) { return .utf16be }
        let pairs = min(sample.count / 2, 512)
        if pairs >= 2 {
            var evenZero = 0
            var oddZero = 0
            for i in 0..<pairs {
                if sample[2 * i] == 0 { evenZero += 1 }
                if sample[2 * i + 1] == 0 { oddZero += 1 }
            }
            if oddZero > pairs / 2 && evenZero == 0 { return .utf16le }
            if evenZero > pairs / 2 && oddZero == 0 { return .utf16be }
        }
        let valid = ValidatedUTF8.validPrefix(sample)
        // A sequence cut by the sample's end is not evidence against UTF-8.
        return sample.count - valid < 4 && (valid == sample.count || sample[valid] >= 0xC2) ? .utf8 : .windows1252
    }

    /// The sample as text, through the same transcoder the reader uses; a character cut by the sample's end is dropped.
    static func decodeSample(_ sample: [UInt8], encoding: TextEncoding) -> String {
        let source = TranscodedBytes(MemoryBytes(sample), encoding: encoding)
        var out: [UInt8] = []
        while ((try? source.read(into: &out, limit: 1 << 16)) ?? 0) > 0 {}
        return String(decoding: out, as: UTF8.self)
    }

    /// The candidate (`,` `;` tab `|`) that splits most lines into the same number of fields, most fields first;
    /// the commonest count, not the first line's, so a title line above the header does not decide.
    static func sniffDelimiter(_ text: String) -> UInt8 {
        let candidates: [UInt8] = [UInt8(ascii: ","), 9, UInt8(ascii: ";"), UInt8(ascii: "|")]
        var best: (delimiter: UInt8, score: Int) = (UInt8(ascii: ","), 0)
        for candidate in candidates {
            let counts = lineShapes(text, delimiter: candidate).map(\.fields).filter { $0 > 1 }
            guard let (fields, lines) = commonest(counts) else { continue }
            // Consistency across lines first, then the number of fields.
            let score = lines * 1000 + fields
            if score > best.score { best = (candidate, score) }
        }
        return best.delimiter
    }
}

/// How much work one input file may cause, each settable in a contract's `format:` block. A file past a limit
/// is refused as a bad file with its figures, never read on without end.
public struct InputLimits: Sendable, Equatable, Codable {
    /// Bytes a compressed file may inflate to (`max_decompressed_bytes`).
    public var maxDecompressedBytes: Int = 64 << 30
    /// Inflated bytes per compressed byte (`max_compression_ratio`), judged once 1 MiB came out.
    public var maxCompressionRatio: Int = 200
    /// Data rows in one file (`max_rows`).
    public var maxRows: Int = 1_000_000_000
    /// Rows one check may set aside (`max_rejects`); past it the file is refused, not quarantined row by row.
    public var maxRejects: Int = 1_000_000

    public init() {}

    /// The refusal of a file with more than `max_rows` rows (a JSON file counts `records`).
    func tooManyRows(file: String, line: Int, noun: String = "rows") -> TableError {
        TableError(
            file: file,
            line: line,
            problem:
                "the file has more than \(maxRows) \(noun) (max_rows); refused as a bad file (raise max_rows in the contract's format: block if it is real)"
        )
    }
}
