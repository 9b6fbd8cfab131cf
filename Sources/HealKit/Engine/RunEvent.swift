/// Progress of a run as it happens, for the command line to print.
public enum RunEvent: Sendable {
    case started(runID: String, pipeline: String, date: String)
    case attempt(step: String, AttemptSummary)
    case alert(Alert, delivery: [String])
}
