import Foundation
import GRDB

/// A row of `runs`.
public struct RunRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "runs"
    public var id: String
    public var pipeline: String
    public var logicalDate: String
    public var status: RunStatus
    public var startedAt: String
    public var finishedAt: String?
    public var rowsRead = 0
    public var rowsLoaded = 0
    public var rowsQuarantined = 0
    public var rowsDeduplicated = 0
    public var rowsUpdated = 0
    public var sourceSha256: String?
    public var forced = false
    public var error: String?
    /// `run` for a playbook run, `release` for rows a reviewer released from quarantine.
    public var kind = RunKind.run

    public init(
        id: String,
        pipeline: String,
        logicalDate: String,
        status: RunStatus,
        startedAt: String,
        finishedAt: String? = nil,
        rowsRead: Int = 0,
        rowsLoaded: Int = 0,
        rowsQuarantined: Int = 0,
        rowsDeduplicated: Int = 0,
        rowsUpdated: Int = 0,
        sourceSha256: String? = nil,
        forced: Bool = false,
        error: String? = nil
    ) {
        self.id = id
        self.pipeline = pipeline
        self.logicalDate = logicalDate
        self.status = status
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.rowsRead = rowsRead
        self.rowsLoaded = rowsLoaded
        self.rowsQuarantined = rowsQuarantined
        self.rowsDeduplicated = rowsDeduplicated
        self.rowsUpdated = rowsUpdated
        self.sourceSha256 = sourceSha256
        self.forced = forced
        self.error = error
    }

    enum CodingKeys: String, CodingKey {
        case id, pipeline, status, error, forced, kind
        case logicalDate = "logical_date", startedAt = "started_at", finishedAt = "finished_at"
        case rowsRead = "rows_read", rowsLoaded = "rows_loaded", rowsQuarantined = "rows_quarantined"
        case rowsDeduplicated = "rows_deduplicated", rowsUpdated = "rows_updated", sourceSha256 = "source_sha256"
    }
}

/// A row of `attempts`: one try of one skill at one level of the ladder.
public struct AttemptRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "attempts"
    public var id: Int64?
    public var runId: String
    public var step: String
    public var skill: String
    public var kind: SkillKind
    public var level: Int
    public var attempt: Int
    public var outcome: Outcome
    public var failureClass: FailureClass?
    public var details: String
    public var figures: StoredJSON
    public var startedAt: String
    public var durationMs: Int
    public var artifact: String?

    enum CodingKeys: String, CodingKey {
        case id, step, skill, kind, level, attempt, outcome, details, figures, artifact
        case runId = "run_id", failureClass = "failure_class", startedAt = "started_at", durationMs = "duration_ms"
    }
}

public struct ArtifactRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "artifacts"
    public var id: Int64?
    public var runId: String
    public var step: String
    public var path: String
    public var sha256: String
    public var rows: Int?
    public var bytes: Int
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, step, path, sha256, rows, bytes
        case runId = "run_id", createdAt = "created_at"
    }
}

public struct AlertRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "alerts"
    public var id: String
    public var runId: String
    public var pipeline: String
    public var logicalDate: String
    public var step: String
    public var failureClass: FailureClass?
    public var summary: String
    public var payload: StoredJSON
    public var delivery: String
    public var createdAt: String
    public var severity = AlertSeverity.critical
    public var signature = ""
    /// How many times this alert's signature fired inside the dedup window (this one included).
    public var occurrences = 1
    /// Set on a suppressed repeat: the alert that was delivered and counts it.
    public var duplicateOf: String?

    enum CodingKeys: String, CodingKey {
        case id, pipeline, step, summary, payload, delivery, severity, signature, occurrences
        case runId = "run_id", logicalDate = "logical_date", failureClass = "failure_class", createdAt = "created_at", duplicateOf =
            "duplicate_of"
    }
}

public struct QuarantineBatchRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "quarantine_batches"
    public var id: String
    public var runId: String
    public var pipeline: String
    public var logicalDate: String
    public var step: String
    public var path: String
    public var rows: Int
    public var reasons: StoredJSON
    public var status: QuarantineBatchStatus
    public var createdAt: String
    /// Rows released into the warehouse and rows discarded so far; the rest are open.
    public var released = 0
    public var discarded = 0

    public var open: Int { rows - released - discarded }

    public init(
        id: String,
        runId: String,
        pipeline: String,
        logicalDate: String,
        step: String,
        path: String,
        rows: Int,
        reasons: StoredJSON,
        status: QuarantineBatchStatus,
        createdAt: String
    ) {
        self.id = id
        self.runId = runId
        self.pipeline = pipeline
        self.logicalDate = logicalDate
        self.step = step
        self.path = path
        self.rows = rows
        self.reasons = reasons
        self.status = status
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, pipeline, step, path, rows, reasons, status, released, discarded
        case runId = "run_id", logicalDate = "logical_date", createdAt = "created_at"
    }
}

/// Who did what to a quarantine batch, and when: every release and discard.
public struct QuarantineActionRecord: Codable, Sendable, FetchableRecord, MutablePersistableRecord {
    public static let databaseTableName = "quarantine_actions"
    public var id: Int64?
    public var batchId: String
    public var action: QuarantineAction
    public var actor: String
    public var rows: Int
    public var detail: String
    public var runId: String?
    public var createdAt: String

    public mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }

    enum CodingKeys: String, CodingKey {
        case id, action, actor, rows, detail
        case batchId = "batch_id", runId = "run_id", createdAt = "created_at"
    }
}

/// A row of `proposals`: one schema-repair proposal and its verdict.
public struct ProposalRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "proposals"
    public var id: Int64?
    public var runId: String
    public var step: String
    public var proposer: String
    public var fingerprint: String
    public var promptBytes = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var latencyMs = 0
    public var requestId: String?
    public var verdict: ProposalVerdict
    public var reason: String
    public var mapping: StoredJSON?
    /// What the profiles said of the repaired file, a line per column (accepted proposals).
    public var evidence = ""
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, step, proposer, fingerprint, verdict, reason, mapping, evidence
        case runId = "run_id", promptBytes = "prompt_bytes", inputTokens = "input_tokens", outputTokens = "output_tokens"
        case latencyMs = "latency_ms", requestId = "request_id", createdAt = "created_at"
    }
}

/// A row of `schema_mappings`: an accepted repair, reused for the same header and contract without a model call.
public struct MappingRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "schema_mappings"
    public var id: Int64?
    public var fingerprint: String
    public var pipeline: String
    public var skill: String
    public var contractVersion: String
    public var header: String
    public var mapping: StoredJSON
    public var proposer: String
    public var uses = 0
    public var createdAt: String
    public var lastUsedAt: String?
    /// `active` (replayed by the learned proposer), `pending` (waits for a person), `rejected` (a person said no).
    public var status = MappingStatus.active

    enum CodingKeys: String, CodingKey {
        case id, fingerprint, pipeline, skill, header, mapping, proposer, uses, status
        case contractVersion = "contract_version", createdAt = "created_at", lastUsedAt = "last_used_at"
    }
}

/// A passed step of a run: its artifact (JSON), its source's rows so far (JSON), whether it healed, its watermark.
public struct CheckpointRecord: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "checkpoints"
    public var runId: String
    public var stepIndex: Int
    public var step: String
    public var source: String
    public var artifact: String?
    public var rows: String
    public var healed: Bool
    public var watermark: String?
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case runId = "run_id", stepIndex = "step_index", step, source, artifact, rows, healed, watermark, createdAt = "created_at"
    }
}
