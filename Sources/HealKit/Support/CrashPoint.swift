import Foundation
import Synchronization

/// A test-only hook: `HEAL_CRASH_AT=NAME` (or `NAME#N`, the Nth time) makes the process kill itself with SIGKILL
/// when it reaches that point, so the crash suite can stop `heal` at exact moments of every phase.
public enum CrashPoint {
    static let target: (name: String, count: Int)? = {
        guard let value = ProcessInfo.processInfo.environment["HEAL_CRASH_AT"], !value.isEmpty else { return nil }
        let parts = value.split(separator: "#", maxSplits: 1)
        return (String(parts[0]), parts.count > 1 ? Int(parts[1]) ?? 1 : 1)
    }()

    /// False unless the hook is set: hot paths test this before naming a point.
    public static let armed = target != nil
    private static let reached = Mutex<[String: Int]>([:])

    /// Kills the process with SIGKILL when `name` is the configured point and this is its Nth arrival.
    public static func reach(_ name: String) {
        guard let target, target.name == name else { return }
        let count = reached.withLock { counts -> Int in
            counts[name, default: 0] += 1
            return counts[name]!
        }
        if count == target.count {
            FileHandle.standardError.write(Data("crash point \(name)#\(count): SIGKILL\n".utf8))
            kill(getpid(), SIGKILL)
        }
    }
}
