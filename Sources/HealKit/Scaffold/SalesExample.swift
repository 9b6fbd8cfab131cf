import Foundation

/// The shipped `sales-daily` example as `heal init --example sales` writes it: the playbook, its commented skill
/// files and a week of landing files (a clean day, bad rows, a renamed export, a European export, a late file
/// with a mirror copy). Embedded, so an installed binary needs no repository beside it.
public enum SalesExample {
    public static let name = "sales"
    public static let pipeline = "sales-daily"

    /// The example's files, unpacked.
    public static func scaffold() throws -> HomeScaffold {
        let unpacked = try files.map { entry -> HomeScaffold.File in
            guard let packed = Data(base64Encoded: entry.gzipBase64, options: .ignoreUnknownCharacters) else {
                throw ScaffoldError(problem: "the embedded example file \(entry.path) is damaged (run scripts/embed-example)")
            }
            let source = try GzipBytes(MemoryBytes(Array(packed)))
            var bytes: [UInt8] = []
            while try source.read(into: &bytes, limit: 1 << 16) > 0 {}
            return HomeScaffold.File(path: entry.path, bytes: bytes)
        }
        return HomeScaffold(files: unpacked)
    }
}

/// A scaffold that cannot be written as asked.
public struct ScaffoldError: Error, Sendable, CustomStringConvertible {
    public var problem: String
    public var description: String { problem }
}
