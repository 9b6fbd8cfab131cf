/// How a step of a run ended, as `heal run` and `--json` show it.
public enum StepStatus: String, ClosedSet {
    case passed, healed, failed, skipped
    /// An interrupted run's checkpoint stands for it.
    case resumed
    /// An earlier step failed, or the run stopped before it.
    case notRun = "not_run"
    /// The run was asked to stop while it ran.
    case interrupted
}
