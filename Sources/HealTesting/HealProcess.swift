import Foundation

/// Runs the built `heal` executable, as a user would, and captures what it prints.
public struct HealProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The `heal` binary next to the test bundle (`swift build` puts both in the same folder).
    public static var binary: URL {
        let candidates = [Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
                          URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        for folder in candidates {
            let url = folder.appendingPathComponent("heal")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return TestHome.repository.appendingPathComponent(".build/debug/heal")
    }

    /// Runs `heal` with the home folder as the working directory.
    @discardableResult
    public static func run(_ arguments: [String], home: TestHome, environment: [String: String] = [:]) async throws -> Result {
        try await run(executable: binary, arguments, in: home, environment: environment)
    }

    /// Runs any program; waits without blocking a thread, since the test's own servers need threads to answer it.
    @discardableResult
    public static func run(executable: URL, _ arguments: [String], in home: TestHome, environment: [String: String] = [:]) async throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = home.root
        var env = ProcessInfo.processInfo.environment
        env["HEAL_HOME"] = nil
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("heal-out-\(UUID().uuidString)")
        let err = FileManager.default.temporaryDirectory.appendingPathComponent("heal-err-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        let exited = AsyncStream<Void> { continuation in
            process.terminationHandler = { _ in continuation.finish() }
        }
        try process.run()
        for await _ in exited {}
        return Result(status: process.terminationStatus,
                      stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                      stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
    }
}
