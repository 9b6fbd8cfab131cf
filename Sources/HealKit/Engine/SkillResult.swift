import Foundation

/// How a skill changed the run's row accounting.
public struct RowDelta: Sendable, Equatable {
    /// Data rows the skill read from its input.
    public var read: Int?
    public var quarantined = 0
    public var deduplicated = 0
    public var loaded = 0
    public var updated = 0

    public init(read: Int? = nil, quarantined: Int = 0, deduplicated: Int = 0, loaded: Int = 0, updated: Int = 0) {
        self.read = read
        self.quarantined = quarantined
        self.deduplicated = deduplicated
        self.loaded = loaded
        self.updated = updated
    }
}

/// What one attempt of a skill reports: pass/fail, the failure class, details for a human, and figures.
public struct SkillResult: Sendable {
    public var outcome: Outcome
    public var failureClass: FailureClass?
    public var details: String
    public var figures: [String: Int]
    /// The artifact the skill produced; nil when its input stands unchanged.
    public var artifact: Artifact?
    public var rows: RowDelta
    /// The rows a row-level check rejected, already written aside, for a quarantine to publish without a rescan.
    public var rejected: RejectedRows?
    /// How many rows a row-level check found failing (what `rejected` holds).
    public var failingRows = 0
    /// A load refused because the day is already loaded from another input: `on_changed_input` decides, not upsert.
    public var changedInput = false
    /// A fetched file still under `min_bytes`: it may be arriving, so a fetch's `wait:` looks again.
    public var stillArriving = false
    /// The sha256 of the artifact a failing check read, so a derived re-check knows which input it judged.
    public var checkedSHA256: String?
    /// An incremental source's new watermark; the run keeps it only once its load commits.
    public var watermark: Watermark?
    /// Departures a passing step reports at warning level: each becomes a warning alert, and the run goes on.
    public var warnings: [Departure] = []
    /// What a check found that a repair's gate shows beside its verdict (each column against its history).
    public var evidence: [String] = []
    /// What a person should do next, when a remediation knows better than the failure class (approve a mapping).
    public var nextAction: String?
    /// False when retrying cannot help now (an open circuit): the ladder goes straight to remediation.
    public var retryAllowed = true

    public static func pass(
        _ details: String,
        figures: [String: Int] = [:],
        artifact: Artifact? = nil,
        rows: RowDelta = RowDelta()
    ) -> SkillResult {
        SkillResult(outcome: .pass, failureClass: nil, details: details, figures: figures, artifact: artifact, rows: rows)
    }

    public static func fail(
        _ failureClass: FailureClass,
        _ details: String,
        figures: [String: Int] = [:],
        rows: RowDelta = RowDelta()
    ) -> SkillResult {
        SkillResult(outcome: .fail, failureClass: failureClass, details: details, figures: figures, artifact: nil, rows: rows)
    }

    public static func skip(_ details: String) -> SkillResult {
        SkillResult(outcome: .skip, failureClass: nil, details: details, figures: [:], artifact: nil, rows: RowDelta())
    }
}

/// Where an incremental source got to: the highest value of its watermark field in what it fetched.
public struct Watermark: Sendable, Equatable, Codable {
    public var source: String
    public var value: String
}
