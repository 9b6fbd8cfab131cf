import Crypto
import Foundation

/// SHA-256 of a file, streamed in chunks.
public enum FileDigest {
    public static func sha256(of data: Data) -> String {
        SHA256.hash(data: data).hexString
    }

    public static func sha256(of url: URL) throws -> (sha256: String, bytes: Int) {
        let handle = try FileHandle(forReadingFrom: url)
        defer { try? handle.close() }
        var hasher = SHA256()
        var total = 0
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            total += chunk.count
        }
        return (hasher.finalize().hexString, total)
    }
}
