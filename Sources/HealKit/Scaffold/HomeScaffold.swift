import Foundation

/// The files `heal init` writes into a home. Nothing already there is overwritten unless asked, so running it
/// twice, or in a home that has other pipelines, never loses a user's edits.
public struct HomeScaffold: Sendable {
    public struct File: Sendable {
        /// Relative to the home folder.
        public var path: String
        public var bytes: [UInt8]

        public init(path: String, bytes: [UInt8]) {
            self.path = path
            self.bytes = bytes
        }

        public init(path: String, text: String) { self.init(path: path, bytes: Array(text.utf8)) }
    }

    public var files: [File]
    /// Folders created empty (the landing folder a source drops into).
    public var folders: [String] = []

    public init(files: [File], folders: [String] = []) {
        self.files = files
        self.folders = folders
    }

    /// The lines every home's `.gitignore` holds: heal's runtime state stays out of git.
    public static let ignored = [
        "metadata.db", "metadata.db-*", "staging/", "quarantine/", "alerts/", "metrics/", "warehouse.db", "warehouse.db-*",
    ]

    /// The files that exist already and would be replaced.
    public func conflicts(in home: HealHome) -> [String] {
        files.map(\.path).filter { FileManager.default.fileExists(atPath: home.root.appendingPathComponent($0).path) }
    }

    /// Writes every file (each atomically) and the folders, and adds heal's lines to `.gitignore` (appended to one
    /// that exists). Returns the paths written.
    @discardableResult
    public func write(to home: HealHome) throws -> [String] {
        var written: [String] = []
        for folder in folders {
            try FileManager.default.createDirectory(at: home.root.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        for file in files {
            let url = home.root.appendingPathComponent(file.path)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(file.bytes).write(to: url, options: .atomic)
            written.append(file.path)
        }
        if try addIgnores(in: home) { written.append(".gitignore") }
        return written
    }

    /// Appends the lines of `ignored` that `.gitignore` lacks; whether it changed.
    private func addIgnores(in home: HealHome) throws -> Bool {
        let url = home.root.appendingPathComponent(".gitignore")
        let existing = (try? String(contentsOf: url, encoding: .utf8)) ?? ""
        let present = Set(existing.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) })
        let missing = HomeScaffold.ignored.filter { !present.contains($0) }
        guard !missing.isEmpty else { return false }
        var text = existing
        if !text.isEmpty && !text.hasSuffix("\n") { text += "\n" }
        text += "# heal's runtime state (heal init)\n" + missing.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: url, options: .atomic)
        return true
    }
}
