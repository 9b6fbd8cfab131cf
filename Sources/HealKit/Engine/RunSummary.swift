import Foundation

/// What `heal run --json` prints and what the command line shows at the end of a run.
public struct RunSummary: Codable, Sendable {
    public var runID: String
    public var pipeline: String
    public var date: String
    public var status: RunStatus
    public var rows: Rows
    public var steps: [StepSummary]
    public var alerts: [AlertBrief]
    public var error: String?
    /// Each source's own accounting, when the playbook has more than one.
    public var sources: [SourceSummary]?
    /// Why a run that loaded is `partial`: the share quarantined against the playbook's threshold.
    public var partialBecause: String?

    public struct Rows: Codable, Sendable, Equatable {
        public var read = 0
        public var loaded = 0
        public var quarantined = 0
        public var deduplicated = 0
        public var updated = 0

        public init(read: Int = 0, loaded: Int = 0, quarantined: Int = 0, deduplicated: Int = 0, updated: Int = 0) {
            self.read = read
            self.loaded = loaded
            self.quarantined = quarantined
            self.deduplicated = deduplicated
            self.updated = updated
        }

        mutating func add(_ other: Rows) {
            read += other.read
            loaded += other.loaded
            quarantined += other.quarantined
            deduplicated += other.deduplicated
            updated += other.updated
        }
    }

    public struct SourceSummary: Codable, Sendable {
        /// The step that starts the source (its fetch).
        public var name: String
        /// `loaded` (its rows are the run's), `reference` (a table other steps look up), or `skipped`.
        public var role: SourceRole
        public var rows: Rows
        public var note: String?
    }

    public struct StepSummary: Codable, Sendable {
        public var name: String
        public var skill: String
        public var status: StepStatus
        public var attempts: [AttemptSummary]
    }

    public struct AlertBrief: Codable, Sendable {
        public var id: String
        public var step: String
        public var failureClass: FailureClass?
        public var summary: String
        /// critical, warning or resolved (a good run that ends earlier failures).
        public var severity = AlertSeverity.critical

        enum CodingKeys: String, CodingKey {
            case id, step, summary, severity
            case failureClass = "failure_class"
        }
    }

    enum CodingKeys: String, CodingKey {
        case pipeline, date, status, rows, steps, alerts, error, sources
        case runID = "run_id", partialBecause = "partial_because"
    }
}
