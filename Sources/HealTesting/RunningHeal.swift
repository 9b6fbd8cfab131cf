import Foundation

/// A `heal` that keeps running (the daemon), as a user starts it: its standard output and error together, as they
/// arrive; waits for a line; SIGTERM and a wait for the exit.
public final class RunningHeal: @unchecked Sendable {
    private let process = Process()
    private let pipe = Pipe()
    private let lock = NSLock()
    private var data = Data()

    public init(_ arguments: [String], home: TestHome) throws {
        process.executableURL = HealProcess.binary
        process.arguments = arguments + ["--home", home.root.path]
        var environment = ProcessInfo.processInfo.environment
        environment["HEAL_HOME"] = nil
        process.environment = environment
        process.standardOutput = pipe
        process.standardError = pipe
        pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let chunk = handle.availableData
            self?.lock.withLock { self?.data.append(chunk) }
        }
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
        pipe.fileHandleForReading.readabilityHandler = nil
    }

    /// Everything printed so far.
    public var output: String { lock.withLock { String(decoding: data, as: UTF8.self) } }

    /// Waits until the output holds `text`; false when `timeout` passed first.
    @discardableResult
    public func wait(for text: String, timeout: Duration = .seconds(30)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while !output.contains(text) {
            guard ContinuousClock.now < deadline, process.isRunning else { return output.contains(text) }
            try await Task.sleep(for: .milliseconds(50))
        }
        return true
    }

    /// SIGTERM, then waits for the exit (at most `timeout`); the exit status, or nil when it is still running.
    public func stop(timeout: Duration = .seconds(20)) async throws -> Int32? {
        process.terminate()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
        guard !process.isRunning else { return nil }
        // What the last writes left in the pipe.
        try await Task.sleep(for: .milliseconds(200))
        return process.terminationStatus
    }
}
