import CZlib
import Foundation

/// Inflates a gzip stream (one or several concatenated members) as it is read.
final class GzipBytes: ByteSource {
    private let inner: ByteSource
    private var stream = z_stream()
    private var input: [UInt8] = []
    private var inputDone = false
    private var finished = false
    private var produced = 0
    /// Input was consumed since the last member ended: running out now means truncation.
    private var inMember = false
    private var consumedTotal = 0
    private let limits: InputLimits
    /// Inflate writes here and the bytes are appended in one copy (see `FileBytes.scratch`).
    private var scratch = UnsafeMutableBufferPointer<UInt8>(start: nil, count: 0)

    init(_ inner: ByteSource, limits: InputLimits = InputLimits()) throws {
        self.inner = inner
        self.limits = limits
        // 15 + 32: a window of 32 KiB and automatic gzip/zlib header detection.
        guard heal_inflate_init(&stream, 15 + 32) == Z_OK else {
            throw ByteSourceError(offset: 0, problem: "cannot start the gzip decoder")
        }
    }

    deinit {
        inflateEnd(&stream)
        scratch.deallocate()
    }

    func read(into buffer: inout [UInt8], limit: Int) throws -> Int {
        guard !finished else { return 0 }
        let room = max(limit, 1 << 16)
        if scratch.count < room {
            scratch.deallocate()
            scratch = .allocate(capacity: room)
        }
        var written = 0
        defer { if written > 0 { buffer.append(contentsOf: UnsafeBufferPointer(rebasing: scratch[..<written])) } }
        while written == 0 {
            if input.isEmpty && !inputDone {
                if try inner.read(into: &input, limit: 1 << 18) == 0 { inputDone = true }
            }
            if input.isEmpty && inputDone {
                if inMember {
                    throw ByteSourceError(offset: produced, problem: "the gzip file is truncated (it ends inside the compressed data)")
                }
                finished = true
                return 0
            }
            var code: Int32 = Z_OK
            var consumed = 0
            let out = scratch
            input.withUnsafeMutableBufferPointer { inBuffer in
                stream.next_in = inBuffer.baseAddress
                stream.avail_in = uInt(inBuffer.count)
                stream.next_out = out.baseAddress!
                stream.avail_out = uInt(room)
                code = inflate(&stream, Z_NO_FLUSH)
                consumed = inBuffer.count - Int(stream.avail_in)
                written = room - Int(stream.avail_out)
            }
            input.removeFirst(consumed)
            if consumed > 0 { inMember = true }
            consumedTotal += consumed
            produced += written
            if produced > limits.maxDecompressedBytes {
                throw ByteSourceError(
                    offset: produced,
                    problem:
                        "the gzip file inflates past \(limits.maxDecompressedBytes) bytes (max_decompressed_bytes) from \(consumedTotal) compressed bytes; refused as a bad file (raise the limit in the contract's format: block if it is real)"
                )
            }
            if produced > 1 << 20, produced / max(consumedTotal, 1) > limits.maxCompressionRatio {
                throw ByteSourceError(
                    offset: produced,
                    problem:
                        "the gzip file inflates \(produced / max(consumedTotal, 1)) times its size (\(consumedTotal) bytes → \(produced) so far), more than max_compression_ratio \(limits.maxCompressionRatio); refused as a likely gzip bomb (raise the limit in the contract's format: block if it is real)"
                )
            }
            switch code {
            case Z_OK, Z_BUF_ERROR:
                break
            case Z_STREAM_END:
                // Another member may follow (concatenated .gz files are one stream to gunzip).
                inflateReset(&stream)
                inMember = false
                if input.isEmpty && !inputDone {
                    if try inner.read(into: &input, limit: 1 << 18) == 0 { inputDone = true }
                }
                if input.isEmpty {
                    finished = true
                    return written
                }
            default:
                let message = stream.msg.map { String(cString: $0) } ?? "code \(code)"
                throw ByteSourceError(offset: produced, problem: "the gzip data is corrupt (\(message))")
            }
        }
        return written
    }

    /// The two magic bytes every gzip member starts with.
    static func isGzip(_ prefix: some Collection<UInt8>) -> Bool {
        prefix.count >= 2 && prefix.first == 0x1F && prefix.dropFirst().first == 0x8B
    }
}
