/// The closed set of failure classes that drives the escalation ladder.
public enum FailureClass: String, ClosedSet {
    case transient
    case sourceMissing = "source_missing"
    case schemaMismatch = "schema_mismatch"
    case parseError = "parse_error"
    case qualityViolation = "quality_violation"
    case volumeAnomaly = "volume_anomaly"
    /// Values no longer look like their history (a swap, a unit change, a dead lookup): raised by the quality step.
    case drift
    case constraintViolation = "constraint_violation"
    case targetUnavailable = "target_unavailable"
    /// A setting heal needs is missing or wrong (an unset `{env.X}`, no credentials, a refused password): no retry
    /// can help, and the message names the setting.
    case configuration
    case `internal`
}
