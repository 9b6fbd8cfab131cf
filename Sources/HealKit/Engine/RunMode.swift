/// How a run stands to the date's earlier runs: one mode, where `force`, `isRelease` and `resumedFrom` said it three
/// ways (and could disagree).
public enum RunMode: Sendable, Equatable {
    /// The date's first run, or a re-run: a date already loaded from the same input is skipped.
    case normal
    /// `--force`: the date's partition is replaced, and an interrupted run is not resumed.
    case forced
    /// Resumes an interrupted run of the date: a load that run committed before it stopped counts as this run's.
    case resumed(from: String)
    /// Rows released from quarantine, not a day's file: volume rules do not apply, and the load appends them under a
    /// ledger entry of their own.
    case release

    public var isForced: Bool { self == .forced }
    public var isRelease: Bool { self == .release }

    /// The interrupted run this one resumes.
    public var resumedFrom: String? {
        if case .resumed(let run) = self { return run }
        return nil
    }
}
