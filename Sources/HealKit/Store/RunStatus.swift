import Foundation

/// How a run ended (or that it is still running), as metadata.db stores it and `heal run` exits with it.
public enum RunStatus: String, ClosedSet {
    case running, succeeded, healed, partial, failed, skipped
    /// Stopped between steps by SIGTERM or SIGINT: every finished step is committed, no later one ran.
    case interrupted

    /// 0 for every status that leaves the data in a good state, 1 for failed or interrupted.
    public var exitCode: Int32 { self == .failed || self == .interrupted ? 1 : 0 }
}
