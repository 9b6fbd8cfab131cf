import Foundation

/// The encodings a landing file may arrive in; everything past the reader is UTF-8.
public enum TextEncoding: String, Sendable, Codable, CaseIterable {
    case utf8 = "utf-8"
    case utf16le = "utf-16le"
    case utf16be = "utf-16be"
    case latin1 = "latin-1"
    case windows1252 = "windows-1252"

    /// Accepts the spellings people write in configs: `UTF8`, `iso-8859-1`, `cp1252`, `utf-16` (little-endian unless a BOM says otherwise).
    public init?(name: String) {
        switch name.lowercased().replacingOccurrences(of: "_", with: "-") {
        case "utf-8", "utf8": self = .utf8
        case "utf-16", "utf16", "utf-16le", "utf16le": self = .utf16le
        case "utf-16be", "utf16be": self = .utf16be
        case "latin-1", "latin1", "iso-8859-1", "iso8859-1": self = .latin1
        case "windows-1252", "cp1252", "win1252": self = .windows1252
        default: return nil
        }
    }

    static let names = "utf-8, utf-16, utf-16le, utf-16be, latin-1, windows-1252"
}

/// Transcodes UTF-16 or a single-byte encoding to UTF-8 as it streams.
final class TranscodedBytes: ByteSource {
    private let inner: ByteSource
    private let encoding: TextEncoding
    private var raw: [UInt8] = []
    private var done = false
    private var offset = 0

    init(_ inner: ByteSource, encoding: TextEncoding) {
        self.inner = inner
        self.encoding = encoding
    }

    func read(into buffer: inout [UInt8], limit: Int) throws -> Int {
        while raw.count < 4 && !done {
            if try inner.read(into: &raw, limit: limit) == 0 { done = true }
        }
        if raw.isEmpty { return 0 }
        let before = buffer.count
        var used = 0
        switch encoding {
        case .utf8:
            buffer.append(contentsOf: raw)
            used = raw.count
        case .latin1, .windows1252:
            let table = encoding == .windows1252 ? TranscodedBytes.cp1252 : nil
            buffer.reserveCapacity(before + raw.count * 2)
            for byte in raw {
                if byte < 0x80 {
                    buffer.append(byte)
                } else {
                    var scalar = UInt32(byte)
                    if let table, byte < 0xA0 { scalar = UInt32(table[Int(byte - 0x80)]) }
                    TranscodedBytes.appendUTF8(scalar, to: &buffer)
                }
            }
            used = raw.count
        case .utf16le, .utf16be:
            let little = encoding == .utf16le
            var i = 0
            while i + 1 < raw.count {
                let unit = little ? UInt16(raw[i]) | UInt16(raw[i + 1]) << 8 : UInt16(raw[i]) << 8 | UInt16(raw[i + 1])
                if (0xD800...0xDBFF).contains(unit) {
                    guard i + 3 < raw.count else {
                        if done {
                            throw ByteSourceError(
                                offset: offset + buffer.count - before,
                                problem: "UTF-16 text ends inside a surrogate pair"
                            )
                        }
                        break
                    }
                    let low = little ? UInt16(raw[i + 2]) | UInt16(raw[i + 3]) << 8 : UInt16(raw[i + 2]) << 8 | UInt16(raw[i + 3])
                    guard (0xDC00...0xDFFF).contains(low) else {
                        throw ByteSourceError(offset: offset + buffer.count - before, problem: "invalid UTF-16 (an unpaired surrogate)")
                    }
                    TranscodedBytes.appendUTF8(0x10000 + (UInt32(unit - 0xD800) << 10) + UInt32(low - 0xDC00), to: &buffer)
                    i += 4
                } else if (0xDC00...0xDFFF).contains(unit) {
                    throw ByteSourceError(offset: offset + buffer.count - before, problem: "invalid UTF-16 (an unpaired surrogate)")
                } else {
                    TranscodedBytes.appendUTF8(UInt32(unit), to: &buffer)
                    i += 2
                }
            }
            if done && i == raw.count - 1 {
                throw ByteSourceError(offset: offset + buffer.count - before, problem: "UTF-16 text has an odd number of bytes")
            }
            used = i
        }
        raw.removeFirst(used)
        let produced = buffer.count - before
        offset += produced
        if produced == 0 && !raw.isEmpty && !done { return try read(into: &buffer, limit: limit) }
        return produced
    }

    static func appendUTF8(_ scalar: UInt32, to buffer: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            buffer.append(UInt8(scalar))
        case 0x80..<0x800:
            buffer.append(UInt8(0xC0 | scalar >> 6))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            buffer.append(UInt8(0xE0 | scalar >> 12))
            buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        default:
            buffer.append(UInt8(0xF0 | scalar >> 18))
            buffer.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            buffer.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            buffer.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Windows-1252's 0x80–0x9F (undefined positions map to the C1 control of the same value, as browsers do).
    static let cp1252: [UInt16] = [
        0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
        0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178,
    ]
}
