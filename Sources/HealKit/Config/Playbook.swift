import Foundation

/// `playbooks/NAME.yml`: the ordered steps of a pipeline, each with its escalation ladder.
public struct Playbook: Sendable {
    public var name: String
    public var file: String
    public var description: String?
    public var timeZone: TimeZone
    /// The zone as the playbook writes it (`UTC`): Foundation may name the same zone otherwise (`GMT`).
    public var timeZoneName = "UTC"
    public var schedule: String?
    /// The schedule, parsed; the daemon fires the pipeline at these wall-clock times in `timeZone`.
    public var cron: CronSchedule?
    /// What the daemon does about fire times it missed while it was not running.
    public var catchUp: CatchUp
    public var retry: RetryPolicy
    public var thresholds: Thresholds
    public var alerts: AlertRoutes
    public var steps: [Step]
    public var retention = Retention()
}

/// Missed fire times: run the latest one only (the default), every one in order, or none.
public enum CatchUp: String, Sendable {
    case latest, all, none
}

/// One step: a skill and what to do when it fails.
public struct Step: Sendable {
    public var name: String
    public var skill: String
    public var critical: Bool
    /// An earlier step whose file this step reads instead of the one before it: how a second source's
    /// steps go back to the first source's file (a fetch starts a source of its own).
    public var input: String?
    public var retry: RetryPolicy?
    public var onFailure: [FailureClass: [String]]
    /// Where the step is written, for errors that point back at the playbook.
    public var line: Int
    public var column: Int
}

/// Level 1 of the ladder: how often and how patiently to retry.
public struct RetryPolicy: Sendable, Equatable {
    public var attempts: Int
    public var backoff: Duration
    public var maxBackoff: Duration
    public var jitter: Double
    public var retryable: Set<FailureClass>

    public init(
        attempts: Int = 3,
        backoff: Duration = .milliseconds(1000),
        maxBackoff: Duration = .seconds(60),
        jitter: Double = 0.2,
        retryable: Set<FailureClass> = [.transient, .targetUnavailable]
    ) {
        self.attempts = attempts
        self.backoff = backoff
        self.maxBackoff = maxBackoff
        self.jitter = jitter
        self.retryable = retryable
    }

    /// Exponential delay before retry `n` (1-based), capped, with jitter that only shortens it.
    public func delay(beforeRetry n: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let base = Double(backoff.milliseconds) * pow(2, Double(n - 1))
        let capped = min(base, Double(maxBackoff.milliseconds))
        return .milliseconds(Int64((capped * (1 - jitter * random)).rounded()))
    }
}

extension Duration {
    public var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// How long a finished run's staged files are kept (`retention: { staging_days: N }`); metadata.db keeps their
/// sha256 and row counts for good. An interrupted run keeps its files until it is resumed.
public struct Retention: Sendable {
    public var stagingDays = 3
}

public struct Thresholds: Sendable {
    /// Above this share of quarantined rows a loaded run is `partial`, not `succeeded`.
    public var quarantineWarnPct: Double = 1.0
}

public struct AlertRoutes: Sendable {
    public var file: String = "alerts/alerts.jsonl"
    /// A Slack-compatible webhook for every severity (the short form of one route).
    public var webhook: Template?
    public var webhookAttempts: Int = 3
    /// The same signature again inside this window is counted on the first alert, not sent again.
    public var dedupMinutes: Int = 60
    public var routes: [AlertRoute] = []
}

/// Where alerts of some severities go, besides the always-written file.
public struct AlertRoute: Sendable {
    public enum Sink: Sendable {
        /// `slack` posts `{"text": …, "alert": …}`; `json` posts the alert object itself.
        case webhook(Template, format: String)
        /// A program that reads the alert as JSON on standard input; exit 0 means delivered.
        case command([String])
        case file(String)
    }

    public var severities: Set<AlertSeverity>
    public var sink: Sink
    public var attempts: Int = 3
}
