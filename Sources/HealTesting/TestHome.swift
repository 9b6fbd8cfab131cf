import Foundation
import HealKit

/// A throwaway heal home folder: the shipped example copied in, or files written by a test.
public struct TestHome: Sendable {
    public let root: URL

    public init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("heal-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    /// A home at a folder that exists already (one `heal init` made).
    public init(existing root: URL) { self.root = root }

    /// The repository's folder, found from this source file's path.
    public static let repository: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.path != "/" {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    /// `Tests/Fixtures/suites/...`: the public test suites, kept in the repository so a clone alone runs them.
    public static func suite(_ path: String) -> URL {
        repository.appendingPathComponent("Tests/Fixtures/suites").appendingPathComponent(path)
    }

    /// A home holding a copy of the shipped example (playbooks/, skills/, examples/).
    public static func example() throws -> TestHome {
        let home = try TestHome()
        for folder in ["playbooks", "skills", "examples"] {
            try FileManager.default.copyItem(at: repository.appendingPathComponent(folder), to: home.root.appendingPathComponent(folder))
        }
        return home
    }

    /// A fresh home holding a copy of everything in this one (its runs, warehouse and metadata too), so a test
    /// can build some history once and start each case from it.
    public func copy() throws -> TestHome {
        let home = try TestHome()
        for name in try FileManager.default.contentsOfDirectory(atPath: root.path) {
            try FileManager.default.copyItem(at: root.appendingPathComponent(name), to: home.root.appendingPathComponent(name))
        }
        return home
    }

    public var healHome: HealHome { HealHome(root: root) }

    public func url(_ path: String) -> URL { root.appendingPathComponent(path) }

    public func write(_ path: String, _ text: String) throws {
        let url = url(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    public func read(_ path: String) throws -> String {
        try String(contentsOf: url(path), encoding: .utf8)
    }

    public func exists(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: url(path).path)
    }

    /// Files below a folder of the home, relative paths, sorted.
    public func files(under path: String) -> [String] {
        let base = url(path)
        guard let enumerator = FileManager.default.enumerator(atPath: base.path) else { return [] }
        return enumerator.compactMap { $0 as? String }.filter { !$0.hasPrefix(".") && !$0.contains("/.") }
            .filter {
                var dir: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: base.appendingPathComponent($0).path, isDirectory: &dir)
                return !dir.boolValue
            }
            .sorted()
    }

    public func remove() {
        try? FileManager.default.removeItem(at: root)
    }
}
