import Foundation

/// A level-3 alert: everything a person needs at 2 AM, in one message.
public struct Alert: Codable, Sendable {
    public var id: String
    public var pipeline: String
    public var date: String
    public var runID: String
    public var step: String
    public var skill: String
    public var failureClass: FailureClass?
    public var summary: String
    public var attempts: [AttemptSummary]
    public var suggestion: String
    public var inspect: String
    public var createdAt: String
    /// `critical`: a run failed; `warning`: the same failure keeps coming back, even when healed;
    /// `resolved`: a run of a pipeline that had failed succeeded, and the alerts it ends are in `resolves`.
    public var severity = AlertSeverity.critical
    /// Pipeline, step, class and the masked detail: what deduplication and recurrence compare.
    public var signature = ""
    /// On a repeat of the same night's failure inside the dedup window: the alert that was sent and counts it.
    public var duplicateOf: String?
    /// On a `resolved` notification: the ids of the alerts it ends.
    public var resolves: [String]?

    enum CodingKeys: String, CodingKey {
        case id, pipeline, date, step, skill, summary, attempts, suggestion, inspect, severity, signature, resolves
        case runID = "run_id", failureClass = "failure_class", createdAt = "created_at", duplicateOf = "duplicate_of"
    }

    /// Plain text for a terminal or a chat message.
    public var text: String {
        let headline =
            switch severity {
            case .warning: "heal [warning]: \(pipeline) \(date) step '\(step)' (\(failureClass?.rawValue ?? "unknown")): \(summary)"
            case .resolved: "heal [resolved]: \(pipeline) \(date): \(summary)"
            case .critical:
                "heal: \(pipeline) \(date) failed at step '\(step)' (\(failureClass?.rawValue ?? "unknown")): \(summary)"
            }
        var lines = [headline]
        for attempt in attempts {
            lines.append(
                "  level \(attempt.level) \(attempt.skill) #\(attempt.attempt): \(attempt.outcome.rawValue)\(attempt.failureClass.map { " \($0.rawValue)" } ?? "") — \(attempt.details)"
            )
        }
        lines.append("next: \(suggestion)")
        lines.append("inspect: \(inspect)")
        return lines.joined(separator: "\n")
    }

    /// What to try next, by failure class.
    static func suggestion(for failure: FailureClass?, pipeline: String, date: String) -> String {
        let rerun = "then re-run: heal run \(pipeline) --date \(date)"
        switch failure {
        case .transient: return "the source kept failing after every retry; check that it is up, \(rerun)"
        case .sourceMissing: return "the file for \(date) is not there; ask the producer, or add a fallback_source remediation, \(rerun)"
        case .schemaMismatch:
            return "the file's columns no longer match the contract; compare its header with the validate_schema skill, \(rerun)"
        case .parseError:
            return
                "rows do not parse as the contract declares; map parse_error to a quarantine_filter, or ask for a corrected file, \(rerun)"
        case .qualityViolation:
            return
                "rows break quality rules beyond what quarantine may take; look at the examples above and fix the source or the rule, \(rerun)"
        case .volumeAnomaly:
            return "the row count is far from recent days; confirm with the producer that the file is complete, \(rerun) (or --force)"
        case .drift:
            return
                "values no longer look like their history (see which column and how above); if the source changed on purpose, load it with heal run \(pipeline) --date \(date) --accept-drift, otherwise ask the producer for a corrected file, \(rerun)"
        case .constraintViolation:
            return "the load conflicts with rows already in the warehouse; decide whether this file replaces the day (--force), \(rerun)"
        case .targetUnavailable: return "the warehouse did not answer; check it is reachable and writable, \(rerun)"
        case .configuration:
            return "a setting heal needs is missing or wrong (named above); fix it in the environment or the skill, \(rerun)"
        case .internal, .none:
            return "this looks like a problem in heal or its environment; keep the staging folder and report it, \(rerun)"
        }
    }
}

/// One attempt as reports, alerts and `--json` show it.
public struct AttemptSummary: Codable, Sendable {
    public var level: Int
    public var skill: String
    public var attempt: Int
    public var outcome: Outcome
    public var failureClass: FailureClass?
    public var details: String
    public var durationMs: Int

    enum CodingKeys: String, CodingKey {
        case level, skill, attempt, outcome, details
        case failureClass = "failure_class", durationMs = "duration_ms"
    }
}
