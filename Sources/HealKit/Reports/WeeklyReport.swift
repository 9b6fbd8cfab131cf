import Foundation

/// The weekly failure-pattern report: what failed, what healed it, what keeps coming back, what to change.
/// A value type, rendered as JSON, Markdown or one self-contained HTML page.
public struct WeeklyReport: Codable, Sendable, Equatable {
    public struct Period: Codable, Sendable, Equatable {
        /// First and last logical date, inclusive (YYYY-MM-DD).
        public var from: String
        public var to: String
        /// `2026-W47`, or `since 2026-11-01`.
        public var label: String
    }

    public struct Day: Codable, Sendable, Equatable {
        public var date: String
        /// Runs by status: succeeded, healed, partial, failed, skipped.
        public var runs: [String: Int]
        public var rowsRead: Int
        public var rowsLoaded: Int
        public var rowsQuarantined: Int

        enum CodingKeys: String, CodingKey {
            case date, runs
            case rowsRead = "rows_read", rowsLoaded = "rows_loaded", rowsQuarantined = "rows_quarantined"
        }
    }

    public struct StepFailures: Codable, Sendable, Equatable {
        public var pipeline: String
        public var step: String
        public var failureClass: String
        /// Runs in which this step failed with this class at least once.
        public var runs: Int

        enum CodingKeys: String, CodingKey {
            case pipeline, step, runs
            case failureClass = "failure_class"
        }
    }

    /// One kind of failure: the same pipeline, step, class and detail once numbers, values and paths are masked.
    public struct Signature: Codable, Sendable, Equatable {
        public var pipeline: String
        public var step: String
        public var failureClass: String
        public var pattern: String
        public var occurrences: Int
        public var healed: Int
        public var firstSeen: String
        public var lastSeen: String
        /// The longest run of consecutive logical dates with this signature.
        public var longestStreak: Int
        public var recurring: Bool

        enum CodingKeys: String, CodingKey {
            case pipeline, step, pattern, occurrences, healed, recurring
            case failureClass = "failure_class", firstSeen = "first_seen", lastSeen = "last_seen", longestStreak = "longest_streak"
        }
    }

    public struct RemediationRate: Codable, Sendable, Equatable {
        public var pipeline: String
        public var step: String
        public var remediation: String
        public var failureClass: String
        public var tried: Int
        /// Tries after which the step's own check passed again.
        public var healed: Int
        public var rate: Double

        enum CodingKeys: String, CodingKey {
            case pipeline, step, remediation, tried, healed, rate
            case failureClass = "failure_class"
        }
    }

    public struct ProposerStats: Codable, Sendable, Equatable {
        public var proposer: String
        public var proposals: Int
        public var accepted: Int
        public var rejected: Int
        /// Passed the gate, waiting for a person's approval.
        public var pending = 0
        /// The proposer had nothing to propose (or its model call failed): proposals = accepted + rejected + pending + none.
        public var none = 0
        /// Requests sent to a model, answered or not; `failedCalls` of them got no answer (an error, a timeout).
        public var modelCalls: Int
        public var failedCalls = 0
        public var inputTokens: Int
        public var outputTokens: Int
        public var medianLatencyMs: Int
        public var rate: Double

        enum CodingKeys: String, CodingKey {
            case proposer, proposals, accepted, rejected, pending, none, rate
            case modelCalls = "model_calls", failedCalls = "failed_calls", inputTokens = "input_tokens", outputTokens = "output_tokens",
                medianLatencyMs = "median_latency_ms"
        }
    }

    public struct QuarantineReason: Codable, Sendable, Equatable {
        public var pipeline: String
        public var reason: String
        public var rows: Int
        /// Rows per logical date, every date of the period present.
        public var byDay: [Int]
        /// rising, falling or steady: the second half of the period against the first.
        public var trend: String

        enum CodingKeys: String, CodingKey {
            case pipeline, reason, rows, trend
            case byDay = "by_day"
        }
    }

    public struct TimeToHeal: Codable, Sendable, Equatable {
        public var healedSteps: Int
        public var medianMs: Int
        public var maxMs: Int

        enum CodingKeys: String, CodingKey {
            case healedSteps = "healed_steps", medianMs = "median_ms", maxMs = "max_ms"
        }
    }

    public var period: Period
    public var pipeline: String?
    public var generatedAt: String
    /// Days run, each counted once by its final run (`runsByStatus`, `days` likewise).
    public var runs: Int
    /// Runs a later run of the same day replaced (forced, resumed) or that were skipped as already loaded.
    public var reruns = 0
    public var runsByStatus: [String: Int]
    public var days: [Day]
    public var failures: [StepFailures]
    public var signatures: [Signature]
    public var recurring: [Signature]
    public var remediations: [RemediationRate]
    public var proposers: [ProposerStats]
    public var quarantine: [QuarantineReason]
    public var timeToHeal: TimeToHeal
    public var suggestions: [String]
    /// Drift the watch raised, per column, and each watched column's profile day by day.
    public var drift: [DriftAlerts] = []
    public var trends: [ColumnTrend] = []
    /// What loads and migrations did to the tables' columns.
    public var schemaChanges: [SchemaChangeRecord] = []

    enum CodingKeys: String, CodingKey {
        case period, pipeline, runs, reruns, days, failures, signatures, recurring, remediations, proposers, quarantine, suggestions, drift,
            trends
        case generatedAt = "generated_at", runsByStatus = "runs_by_status", timeToHeal = "time_to_heal", schemaChanges = "schema_changes"
    }
}
