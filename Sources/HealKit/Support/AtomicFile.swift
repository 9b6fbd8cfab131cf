import Foundation

/// A file published whole or not at all. It is written under a hidden temporary name beside its destination, then
/// renamed over it. rename(2) replaces the old file in one step, so neither a reader nor a crash ever sees half a
/// file or no file at all.
public struct AtomicFile: Sendable {
    public let destination: URL
    /// Where the content is written first: `.NAME.UUID.tmp` in the destination's folder (same file system).
    public let temporary: URL

    public init(_ destination: URL) {
        self.destination = destination
        temporary = destination.deletingLastPathComponent()
            .appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
    }

    /// An empty temporary file, opened for writing.
    public func create() throws -> FileHandle {
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary.path])
        }
        return try FileHandle(forWritingTo: temporary)
    }

    /// Moves the written temporary file over the destination.
    public func publish() throws {
        guard rename(temporary.path, destination.path) == 0 else {
            let code = errno
            discard()
            throw POSIXError(POSIXErrorCode(rawValue: code) ?? .EIO)
        }
    }

    /// Removes the temporary file after a failure; the destination stays as it was.
    public func discard() {
        try? FileManager.default.removeItem(at: temporary)
    }

    /// Writes `data` to `url` whole, or leaves what was there.
    public static func write(_ data: Data, to url: URL) throws {
        let file = AtomicFile(url)
        do {
            try data.write(to: file.temporary)
            try file.publish()
        } catch {
            file.discard()
            throw error
        }
    }

    /// Copies `source` to `url` whole, or leaves what was there.
    public static func copy(_ source: URL, to url: URL) throws {
        let file = AtomicFile(url)
        do {
            try FileManager.default.copyItem(at: source, to: file.temporary)
            try file.publish()
        } catch {
            file.discard()
            throw error
        }
    }
}
