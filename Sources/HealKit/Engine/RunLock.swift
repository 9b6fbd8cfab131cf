import Foundation

/// One run of a pipeline at a time: an exclusive `flock` on `staging/.locks/PIPELINE.lock`, held for the run.
///
/// The kernel drops the lock when the process dies, even by SIGKILL, so a crashed run never blocks the next one,
/// and a run that holds the lock knows every `running` row of its pipeline is a dead process's.
public final class RunLock: Sendable {
    let descriptor: Int32

    /// Takes the lock, or throws `RunLockBusy` naming the run that holds it.
    public init(pipeline: String, home: HealHome, runID: String) throws {
        let folder = home.staging.appendingPathComponent(".locks")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("\(pipeline).lock").path
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw UsageError("cannot open the run lock \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let holder = (try? String(contentsOfFile: path, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            close(fd)
            throw RunLockBusy(pipeline: pipeline, holder: holder)
        }
        ftruncate(fd, 0)
        let note = "run \(runID), pid \(getpid()), since \(Timestamp.now())\n"
        _ = note.withCString { write(fd, $0, strlen($0)) }
        descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

/// Another `heal run` of the same pipeline holds the lock: this one did nothing.
public struct RunLockBusy: Error, CustomStringConvertible, Sendable {
    public var pipeline: String
    public var holder: String
    public var description: String {
        "\(pipeline) is already running (\(holder.isEmpty ? "another heal process" : holder)); this run did nothing. Wait for it to finish, or stop it, then run again"
    }
}
