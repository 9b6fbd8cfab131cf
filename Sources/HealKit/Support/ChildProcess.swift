import Foundation
import Subprocess

#if canImport(System)
import System
#else
import SystemPackage
#endif

/// Runs a program to completion with a deadline, capturing what it prints.
///
/// Built on swift-subprocess: it waits without holding a thread of the cooperative pool, and a run cut off by
/// the deadline tears the child down instead of leaving it behind.
public enum ChildProcess {
    public struct Outcome: Sendable {
        /// The exit code, or nil when a signal ended the program.
        public var status: Int32?
        public var stdout: String
        public var stderr: String
    }

    public struct TimedOut: Error {}

    /// `program` with a `/` is a path (relative to `directory`), otherwise it is looked up on PATH.
    public static func run(
        _ program: String,
        _ arguments: [String],
        in directory: URL,
        environment: [String: String?] = [:],
        input: [UInt8]? = nil,
        timeout: Duration,
        outputLimit: Int = 16 << 20
    ) async throws -> Outcome {
        let executable: Executable =
            program.contains("/")
            ? .path(FilePath(program.hasPrefix("/") ? program : directory.appendingPathComponent(program).path))
            : .name(program)
        var keyed: [Environment.Key: String?] = [:]
        for (key, value) in environment {
            if let key = Environment.Key(rawValue: key) { keyed[key] = value }
        }
        let overrides = keyed
        // Input goes through an unlinked temporary file, not a pipe: a child that exits without reading it then
        // costs nothing (swift-subprocess 1.0.2 traps when a pipe write fails).
        var inputFile: FileDescriptor?
        if let input {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("heal-stdin-\(UUID().uuidString)").path
            let fd = try FileDescriptor.open(FilePath(path), .readWrite, options: [.create, .truncate], permissions: [.ownerReadWrite])
            unlink(path)
            _ = try fd.writeAll(input)
            _ = try fd.seek(offset: 0, from: .start)
            inputFile = fd
        }
        let stdinFile = inputFile
        return try await withThrowingTaskGroup(of: Outcome?.self) { group in
            group.addTask {
                let result =
                    if let stdinFile {
                        try await Subprocess.run(
                            executable,
                            arguments: Arguments(arguments),
                            environment: .inherit.updating(overrides),
                            workingDirectory: FilePath(directory.path),
                            input: .fileDescriptor(stdinFile, closeAfterSpawningProcess: true),
                            output: .string(limit: outputLimit),
                            error: .string(limit: outputLimit)
                        )
                    } else {
                        try await Subprocess.run(
                            executable,
                            arguments: Arguments(arguments),
                            environment: .inherit.updating(overrides),
                            workingDirectory: FilePath(directory.path),
                            output: .string(limit: outputLimit),
                            error: .string(limit: outputLimit)
                        )
                    }
                let status: Int32?
                if case .exited(let code) = result.terminationStatus { status = code } else { status = nil }
                return Outcome(status: status, stdout: result.standardOutput, stderr: result.standardError)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let outcome = first else { throw TimedOut() }
            return outcome
        }
    }
}
