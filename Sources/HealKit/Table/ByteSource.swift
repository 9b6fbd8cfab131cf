import Foundation

/// Where a reader's bytes come from: a file, a gzip stream over it, a transcoder over either.
///
/// Layers stack (file → gunzip → transcode → validate) so the CSV and JSON scanners only ever see UTF-8.
public protocol ByteSource: AnyObject {
    /// Appends at most `limit` bytes to `buffer`; returns how many, 0 at the end.
    func read(into buffer: inout [UInt8], limit: Int) throws -> Int
}

/// A problem found below the parser (bad compression, invalid text) at a byte offset of the decoded stream.
public struct ByteSourceError: Error, Sendable {
    /// Offset in the decoded (UTF-8) stream where the problem starts.
    public var offset: Int
    public var problem: String
}

/// Plain reads from a file descriptor. Only a regular file is opened: a FIFO, a device or a socket would block
/// or never end (a landing path pointing at `/dev/zero`), so they are refused before the first read.
final class FileBytes: ByteSource {
    private let handle: FileHandle

    struct NotRegular: LocalizedError, CustomStringConvertible {
        var problem: String
        var description: String { problem }
        var errorDescription: String? { "the path \(problem)" }
    }

    init(url: URL, followSymlinks: Bool = true) throws {
        let fd = open(url.path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (followSymlinks ? 0 : O_NOFOLLOW))
        guard fd >= 0 else {
            if errno == ELOOP { throw NotRegular(problem: "is a symbolic link, which is not followed here") }
            throw CocoaError(.fileReadNoSuchFile, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
        }
        var info = stat()
        if fstat(fd, &info) != 0 || FileBytes.notRegular(info.st_mode) != nil {
            close(fd)
            throw NotRegular(
                problem: "is \(FileBytes.notRegular(info.st_mode) ?? "unreadable"), not a regular file; heal reads regular files only"
            )
        }
        // A regular file never blocks; reads go back to the ordinary blocking mode.
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK)
        handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Whether the path (after links) is a regular file.
    static func isRegularFile(_ url: URL) -> Bool {
        var info = stat()
        return stat(url.path, &info) == 0 && notRegular(info.st_mode) == nil
    }

    /// What a file mode is when it is not a regular file ("a FIFO", "a device"), nil for a regular file.
    static func notRegular(_ mode: mode_t) -> String? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: return "a folder"
        case S_IFIFO: return "a FIFO (named pipe)"
        case S_IFCHR, S_IFBLK: return "a device"
        case S_IFSOCK: return "a socket"
        case S_IFLNK: return "a symbolic link"
        default: return "not a file"
        }
    }

    deinit {
        try? handle.close()
        scratch.deallocate()
    }

    /// A read lands here first, then is appended in one copy: growing the array by `limit` zeros and trimming
    /// them back costs a per-element loop in a debug build (seconds per run of the test suite).
    private var scratch = UnsafeMutableRawBufferPointer(start: nil, count: 0)

    func read(into buffer: inout [UInt8], limit: Int) throws -> Int {
        if scratch.count < limit {
            scratch.deallocate()
            scratch = .allocate(byteCount: limit, alignment: 16)
        }
        let fd = handle.fileDescriptor
        while true {
            let n = Foundation.read(fd, scratch.baseAddress!, limit)
            if n < 0 {
                if errno == EINTR { continue }
                throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(errno))])
            }
            if n > 0 { buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<n])) }
            return n
        }
    }
}

/// Bytes already in memory (a detection sample).
final class MemoryBytes: ByteSource {
    private var bytes: ArraySlice<UInt8>

    init(_ bytes: [UInt8]) { self.bytes = bytes[...] }

    func read(into buffer: inout [UInt8], limit: Int) throws -> Int {
        let n = min(limit, bytes.count)
        buffer.append(contentsOf: bytes.prefix(n))
        bytes = bytes.dropFirst(n)
        return n
    }
}

/// Passes UTF-8 through, stopping at the first invalid sequence with its offset.
///
/// ASCII runs are checked eight bytes at a time; a sequence cut by a chunk end waits for the next chunk.
final class ValidatedUTF8: ByteSource {
    private let inner: ByteSource
    private var pending: [UInt8] = []
    private var offset = 0
    private var innerDone = false

    init(_ inner: ByteSource) { self.inner = inner }

    func read(into buffer: inout [UInt8], limit: Int) throws -> Int {
        // At least four bytes (one whole sequence) unless the input has ended.
        while pending.count < 4 && !innerDone {
            if try inner.read(into: &pending, limit: limit) == 0 { innerDone = true }
        }
        if pending.isEmpty { return 0 }
        let valid = ValidatedUTF8.validPrefix(pending)
        if valid == 0 {
            throw ByteSourceError(offset: offset, problem: "invalid UTF-8 (byte 0x\(String(pending[0], radix: 16, uppercase: true)))")
        }
        buffer.append(contentsOf: pending[..<valid])
        pending.removeFirst(valid)
        offset += valid
        return valid
    }

    /// Length of the longest prefix made of whole valid UTF-8 sequences.
    static func validPrefix(_ bytes: [UInt8]) -> Int {
        bytes.withUnsafeBufferPointer { b in
            let n = b.count
            var i = 0
            while i < n {
                if i + 8 <= n {
                    let word = UnsafeRawPointer(b.baseAddress! + i).loadUnaligned(as: UInt64.self)
                    if word & 0x8080_8080_8080_8080 == 0 {
                        i += 8
                        continue
                    }
                }
                let c = b[i]
                if c < 0x80 {
                    i += 1
                    continue
                }
                let length: Int
                let minimum: UInt32
                var value: UInt32
                switch c {
                case 0xC2...0xDF:
                    length = 2
                    minimum = 0x80
                    value = UInt32(c & 0x1F)
                case 0xE0...0xEF:
                    length = 3
                    minimum = 0x800
                    value = UInt32(c & 0x0F)
                case 0xF0...0xF4:
                    length = 4
                    minimum = 0x10000
                    value = UInt32(c & 0x07)
                default: return i
                }
                if i + length > n { return i }
                for k in 1..<length {
                    let d = b[i + k]
                    guard d & 0xC0 == 0x80 else { return i }
                    value = value << 6 | UInt32(d & 0x3F)
                }
                if value < minimum || value > 0x10FFFF || (0xD800...0xDFFF).contains(value) { return i }
                i += length
            }
            return n
        }
    }
}
