import Crypto
import Foundation

/// Buffered CSV writer that publishes its file atomically (temporary file, then rename) and hashes as it writes.
public final class CSVWriter {
    public let url: URL
    public private(set) var rows = 0
    private let file: AtomicFile
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var hasher = SHA256()
    private var bytes = 0
    private var finished = false

    /// The hidden first column of heal's own artifacts: each row's line in the fetched file, so quarantine
    /// and error messages point at the file the producer sent, not at an intermediate copy.
    public static let sourceLineColumn = "_heal_source_line"
    private let carriesSourceLines: Bool

    public init(url: URL, header: [String], carrySourceLines: Bool = false) throws {
        carriesSourceLines = carrySourceLines
        self.url = url
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        file = AtomicFile(url)
        handle = try file.create()
        buffer.reserveCapacity(1 << 16)
        for name in carrySourceLines ? [CSVWriter.sourceLineColumn] + header : header { appendField(name) }
        buffer.append(UInt8(ascii: "\n"))
    }

    deinit {
        if !finished {
            try? handle.close()
            file.discard()
        }
    }

    public func write(_ fields: [String]) throws {
        precondition(!carriesSourceLines, "use write(_:sourceLine:) on a writer that carries source lines")
        try write(fields, sourceLine: 0)
    }

    public func write(_ fields: [String], sourceLine: Int) throws {
        beginRow(sourceLine: sourceLine)
        for field in fields { appendField(field) }
        try endRow()
    }

    // Row-by-row building for the data path: fields go straight from a batch's bytes into the output buffer.

    private var fieldsInRow = 0

    public func beginRow(sourceLine: Int) {
        if carriesSourceLines {
            buffer.append(contentsOf: String(sourceLine).utf8)
            buffer.append(UInt8(ascii: ","))
        }
        fieldsInRow = 0
    }

    @inline(__always)
    public func appendField(_ field: FieldBytes) {
        if fieldsInRow > 0 { buffer.append(UInt8(ascii: ",")) }
        fieldsInRow += 1
        CSVWriter.appendField(field.buffer, to: &buffer)
    }

    public func appendField(_ value: String) {
        if fieldsInRow > 0 { buffer.append(UInt8(ascii: ",")) }
        fieldsInRow += 1
        CSVWriter.appendField(value.utf8, to: &buffer)
    }

    public func endRow() throws {
        buffer.append(UInt8(ascii: "\n"))
        rows += 1
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// Quotes only when the field holds a comma, a quote or a line break; quotes inside are doubled.
    @inline(__always)
    static func appendField<Bytes: Collection<UInt8>>(_ bytes: Bytes, to buffer: inout [UInt8]) {
        var needsQuotes = false
        for byte in bytes
        where byte == UInt8(ascii: ",") || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
            needsQuotes = true
            break
        }
        guard needsQuotes else {
            buffer.append(contentsOf: bytes)
            return
        }
        buffer.append(UInt8(ascii: "\""))
        for byte in bytes {
            if byte == UInt8(ascii: "\"") { buffer.append(byte) }
            buffer.append(byte)
        }
        buffer.append(UInt8(ascii: "\""))
    }

    private func flush() throws {
        guard !buffer.isEmpty else { return }
        hasher.update(data: buffer)
        bytes += buffer.count
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, fsyncs and renames into place; returns the published file's digest and size.
    @discardableResult
    public func finish() throws -> (sha256: String, bytes: Int) {
        try flush()
        try handle.synchronize()
        try handle.close()
        finished = true
        try file.publish()
        return (hasher.finalize().hexString, bytes)
    }
}

extension Sequence where Element == UInt8 {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}
