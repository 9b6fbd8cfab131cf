import Foundation
import HealKit

/// Runs the built `heal` executable, as a user would, and captures what it prints.
public struct HealProcess {
    public struct Result: Sendable {
        public var status: Int32
        public var stdout: String
        public var stderr: String
    }

    /// The `heal` binary next to the test bundle (`swift build` puts both in the same folder), or the one
    /// `HEAL_TEST_BINARY` names (a release build, for the tests that kill a large run).
    public static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["HEAL_TEST_BINARY"], !path.isEmpty { return URL(fileURLWithPath: path) }
        let candidates = [
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
        ]
        for folder in candidates {
            let url = folder.appendingPathComponent("heal")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return TestHome.repository.appendingPathComponent(".build/debug/heal")
    }

    /// Runs `heal` with the home folder as the working directory (and no HEAL_HOME from the test's environment).
    @discardableResult
    public static func run(_ arguments: [String], home: TestHome, environment: [String: String] = [:]) async throws -> Result {
        try await run(executable: binary, arguments, in: home, environment: environment)
    }

    /// Runs any program, at most two minutes.
    @discardableResult
    public static func run(
        executable: URL,
        _ arguments: [String],
        in home: TestHome,
        environment: [String: String] = [:]
    ) async throws -> Result {
        var overrides: [String: String?] = ["HEAL_HOME": nil]
        for (key, value) in environment { overrides[key] = value }
        let outcome = try await ChildProcess.run(executable.path, arguments, in: home.root, environment: overrides, timeout: .seconds(120))
        return Result(status: outcome.status ?? -1, stdout: outcome.stdout, stderr: outcome.stderr)
    }
}
