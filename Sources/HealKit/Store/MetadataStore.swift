import Foundation
import GRDB

/// `metadata.db`: every run, attempt, artifact, alert and quarantine batch. SQLite in WAL mode.
public final class MetadataStore: Sendable {
    let database: DatabaseQueue

    public init(url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = SQLiteProcessSettings.applied
        // Two first runs on a fresh home would both create the schema; one at a time opens and migrates.
        let lock = open(url.path + "-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if lock >= 0 { while flock(lock, LOCK_EX) != 0 && errno == EINTR {} }
        defer {
            if lock >= 0 {
                flock(lock, LOCK_UN)
                close(lock)
            }
        }
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
        }
        database = try DatabaseQueue(path: url.path, configuration: configuration)
        try MetadataMigrations.migrator.migrate(database)
    }

    public func insertRun(_ run: RunRecord) throws {
        try database.write { db in try run.insert(db) }
    }

    public func updateRun(_ run: RunRecord) throws {
        try database.write { db in try run.update(db) }
    }

    public func insertCheckpoint(_ checkpoint: CheckpointRecord) throws {
        try database.write { db in try checkpoint.insert(db) }
    }

    public func checkpoints(run: String) throws -> [CheckpointRecord] {
        try database.read { db in
            try CheckpointRecord.fetchAll(db, sql: "SELECT * FROM checkpoints WHERE run_id = ? ORDER BY step_index", arguments: [run])
        }
    }

    /// Marks a pipeline's `running` runs `interrupted`: called by the run that holds the pipeline's lock, so their
    /// processes are gone (killed or crashed). Returns their ids.
    public func interruptAbandonedRuns(pipeline: String, by runID: String) throws -> [String] {
        try database.write { db in
            let ids = try String.fetchAll(
                db,
                sql: "SELECT id FROM runs WHERE pipeline = ? AND status = 'running' AND kind = 'run' AND id <> ?",
                arguments: [pipeline, runID]
            )
            for id in ids {
                let step = try String.fetchOne(
                    db,
                    sql: "SELECT step FROM attempts WHERE run_id = ? ORDER BY rowid DESC LIMIT 1",
                    arguments: [id]
                )
                try db.execute(
                    sql: "UPDATE runs SET status = 'interrupted', finished_at = ?, error = ? WHERE id = ?",
                    arguments: [
                        Timestamp.now(),
                        "the process stopped (killed or crashed)\(step.map { " during or after step \($0)" } ?? " before its first step"); found by run \(runID)",
                        id,
                    ]
                )
            }
            return ids
        }
    }

    /// The newest earlier run of a pipeline's date, when it was interrupted: the run a new one resumes.
    public func interruptedRun(pipeline: String, date: String, before runID: String) throws -> RunRecord? {
        try database.read { db in
            let last = try RunRecord.fetchOne(
                db,
                sql: """
                    SELECT * FROM runs WHERE pipeline = ? AND logical_date = ? AND kind = 'run' AND id <> ? ORDER BY started_at DESC, id DESC LIMIT 1
                    """,
                arguments: [pipeline, date, runID]
            )
            return last?.status == RunStatus.interrupted.rawValue ? last : nil
        }
    }

    public func insertAttempt(_ attempt: AttemptRecord) throws {
        try database.write { db in try attempt.insert(db) }
    }

    public func insertArtifact(_ artifact: ArtifactRecord) throws {
        try database.write { db in try artifact.insert(db) }
    }

    public func updateAlertDelivery(id: String, delivery: String) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE alerts SET delivery = ? WHERE id = ?", arguments: [delivery, id])
        }
    }

    /// Records an alert unless the same signature and severity of the same logical date was delivered since `windowStart`: then that
    /// alert's count goes up and this one is stored as its duplicate. Returns the delivered original, if any.
    public func insertAlert(_ alert: AlertRecord, deduplicatingSince windowStart: String?) throws -> AlertRecord? {
        try database.write { db in
            var record = alert
            if let windowStart, !alert.signature.isEmpty,
                var original =
                    try AlertRecord
                    .filter(
                        Column("signature") == alert.signature && Column("severity") == alert.severity
                            && Column("logical_date") == alert.logicalDate
                            && Column("duplicate_of") == nil && Column("created_at") >= windowStart
                    )
                    .order(Column("created_at").desc).fetchOne(db)
            {
                original.occurrences += 1
                try original.update(db)
                record.duplicateOf = original.id
                record.delivery =
                    "suppressed: same as alert \(original.id) inside the dedup window (\(Noun.count(original.occurrences, "time")) now)"
                try record.insert(db)
                return original
            }
            try record.insert(db)
            return nil
        }
    }

    /// Signatures of the steps that failed (at level 1) in the runs of a pipeline's logical date.
    public func failureSignatures(pipeline: String, date: String) throws -> Set<FailureSignature> {
        try database.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT a.step, a.failure_class, a.details FROM attempts a JOIN runs r ON r.id = a.run_id
                    WHERE r.pipeline = ? AND r.logical_date = ? AND r.kind = 'run' AND a.level = 1 AND a.outcome = 'fail'
                    ORDER BY a.id
                    """,
                arguments: [pipeline, date]
            )
            var seen: Set<String> = []
            var signatures: Set<FailureSignature> = []
            for row in rows {
                let step: String = row["step"]
                // The first failure of each step per date, as the weekly report counts them.
                guard seen.insert(step).inserted else { continue }
                signatures.insert(
                    FailureSignature(pipeline: pipeline, step: step, failureClass: row["failure_class"], details: row["details"])
                )
            }
            return signatures
        }
    }

    /// An incremental source's watermark as of its last committed load.
    public func watermark(pipeline: String, source: String) throws -> String? {
        try database.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM watermarks WHERE pipeline = ? AND source = ?", arguments: [pipeline, source])
        }
    }

    public func setWatermark(pipeline: String, source: String, value: String, runID: String) throws {
        try database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO watermarks (pipeline, source, value, run_id, updated_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (pipeline, source) DO UPDATE SET value = excluded.value, run_id = excluded.run_id, updated_at = excluded.updated_at
                    """,
                arguments: [pipeline, source, value, runID, Timestamp.now()]
            )
        }
    }

    public func insertQuarantineBatch(_ batch: QuarantineBatchRecord) throws {
        try database.write { db in try batch.insert(db) }
    }

    public func runs(pipeline: String? = nil, limit: Int = 50) throws -> [RunRecord] {
        try database.read { db in
            var request = RunRecord.order(Column("started_at").desc).limit(limit)
            if let pipeline { request = request.filter(Column("pipeline") == pipeline) }
            return try request.fetchAll(db)
        }
    }

    public func run(id: String) throws -> RunRecord? {
        try database.read { db in try RunRecord.fetchOne(db, key: id) }
    }

    /// A run by its full id or a unique prefix (people type the first few characters).
    public func run(matching prefix: String) throws -> [RunRecord] {
        try database.read { db in
            if let exact = try RunRecord.fetchOne(db, key: prefix) { return [exact] }
            return try RunRecord.filter(Column("id").like("\(prefix.replacingOccurrences(of: "%", with: ""))%")).limit(5).fetchAll(db)
        }
    }

    public func attempts(run: String) throws -> [AttemptRecord] {
        try database.read { db in try AttemptRecord.filter(Column("run_id") == run).order(Column("id")).fetchAll(db) }
    }

    public func alerts(run: String) throws -> [AlertRecord] {
        try database.read { db in try AlertRecord.filter(Column("run_id") == run).order(Column("created_at")).fetchAll(db) }
    }

    public func quarantineBatches(run: String) throws -> [QuarantineBatchRecord] {
        try database.read { db in try QuarantineBatchRecord.filter(Column("run_id") == run).order(Column("created_at")).fetchAll(db) }
    }

    /// Batches, newest first, optionally of one pipeline, from a logical date on, in one status.
    public func quarantineBatches(pipeline: String? = nil, since: String? = nil, status: String? = nil) throws -> [QuarantineBatchRecord] {
        try database.read { db in
            var request = QuarantineBatchRecord.order(Column("created_at").desc)
            if let pipeline { request = request.filter(Column("pipeline") == pipeline) }
            if let since { request = request.filter(Column("logical_date") >= since) }
            // Superseded batches are history: shown only when asked for by name.
            if let status {
                request = request.filter(Column("status") == status)
            } else {
                request = request.filter(Column("status") != "superseded")
            }
            return try request.fetchAll(db)
        }
    }

    /// A batch by its id or a unique prefix.
    public func quarantineBatch(matching prefix: String) throws -> [QuarantineBatchRecord] {
        try database.read { db in
            if let exact = try QuarantineBatchRecord.fetchOne(db, key: prefix) { return [exact] }
            return try QuarantineBatchRecord.filter(Column("id").like("\(prefix.replacingOccurrences(of: "%", with: ""))%")).limit(5)
                .fetchAll(db)
        }
    }

    /// Source lines of a batch that were released or discarded, with their state.
    public func quarantineRowStates(batch: String) throws -> [Int: String] {
        try database.read { db in
            var states: [Int: String] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT source_line, state FROM quarantine_row_states WHERE batch_id = ?",
                arguments: [batch]
            ) {
                states[row["source_line"]] = row["state"]
            }
            return states
        }
    }

    /// Records an action on some open rows of a batch in one transaction: the action, each row's new state and the
    /// batch's counts and status. Rows no longer open are left out; returns the action with the rows it took.
    public func recordQuarantineAction(_ action: QuarantineActionRecord, lines: [Int]) throws -> QuarantineActionRecord {
        try database.write { db in
            var action = action
            let taken = try lines.filter { line in
                try Int.fetchOne(
                    db,
                    sql: "SELECT 1 FROM quarantine_row_states WHERE batch_id = ? AND source_line = ?",
                    arguments: [action.batchId, line]
                ) == nil
            }
            action.rows = taken.count
            try action.insert(db)
            let state = action.action == "discard" ? "discarded" : "released"
            for line in taken {
                try db.execute(
                    sql: "INSERT INTO quarantine_row_states (batch_id, source_line, state, action_id) VALUES (?, ?, ?, ?)",
                    arguments: [action.batchId, line, state, action.id]
                )
            }
            let column = state == "discarded" ? "discarded" : "released"
            try db.execute(
                sql: "UPDATE quarantine_batches SET \(column) = \(column) + ? WHERE id = ?",
                arguments: [taken.count, action.batchId]
            )
            try db.execute(
                sql: """
                    UPDATE quarantine_batches SET status = CASE
                        WHEN released + discarded < rows THEN 'open'
                        WHEN discarded = 0 THEN 'released'
                        WHEN released = 0 THEN 'discarded'
                        ELSE 'closed' END
                    WHERE id = ?
                    """,
                arguments: [action.batchId]
            )
            return action
        }
    }

    /// A run that ran `steps` itself and committed their source's load supersedes the open quarantine batches
    /// earlier runs of the date left at those steps (a failed run's, a dead one's, a forced-over one's): its own
    /// batches hold the day's rows now. A step it skipped or resumed keeps the earlier batches. Returns how many.
    @discardableResult
    public func supersedeQuarantine(pipeline: String, date: String, steps: [String], by runID: String) throws -> Int {
        try database.write { db in
            let marks = Array(repeating: "?", count: steps.count).joined(separator: ", ")
            try db.execute(
                sql: """
                    UPDATE quarantine_batches SET status = 'superseded'
                    WHERE pipeline = ? AND logical_date = ? AND run_id <> ? AND status = 'open' AND step IN (\(marks))
                      AND run_id IN (SELECT id FROM runs WHERE kind = 'run' AND id <> ?)
                    """,
                arguments: StatementArguments([pipeline, date, runID] + steps + [runID])
            )
            return db.changesCount
        }
    }

    /// Runs of a pipeline whose staged files may go: finished before `before`, replaced by a later run of the same
    /// date that loaded, or failed on `date` (a new run of that date never resumes a failed one); never an
    /// interrupted or running one, nor `keep`, nor a run with open quarantine batches (a release reads its files).
    public func stagingToRemove(pipeline: String, before: String, keep runID: String, date: String) throws -> [String] {
        try database.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT r.id FROM runs r
                    WHERE r.pipeline = ? AND r.id <> ? AND r.status NOT IN ('running', 'interrupted')
                      AND NOT EXISTS (SELECT 1 FROM quarantine_batches q WHERE q.run_id = r.id AND q.status = 'open')
                      AND (r.finished_at < ? OR (r.status = 'failed' AND r.logical_date = ?) OR EXISTS (
                          SELECT 1 FROM runs later WHERE later.pipeline = r.pipeline AND later.logical_date = r.logical_date
                            AND later.kind = 'run' AND later.started_at > r.started_at AND later.status IN ('succeeded', 'healed', 'partial')))
                    """,
                arguments: [pipeline, runID, before, date]
            )
        }
    }

    public func quarantineActions(batch: String) throws -> [QuarantineActionRecord] {
        try database.read { db in try QuarantineActionRecord.filter(Column("batch_id") == batch).order(Column("id")).fetchAll(db) }
    }

    /// Everything a report over logical dates `from`…`to` reads: playbook runs (not releases), their attempts and
    /// proposals, and the quarantine batches of those dates.
    public func reportInput(
        from: String,
        to: String,
        pipeline: String?
    ) throws
        -> (runs: [RunRecord], attempts: [AttemptRecord], proposals: [ProposalRecord], batches: [QuarantineBatchRecord])
    {
        try database.read { db in
            var runs = RunRecord.filter(Column("logical_date") >= from && Column("logical_date") <= to && Column("kind") == "run")
            if let pipeline { runs = runs.filter(Column("pipeline") == pipeline) }
            let runList = try runs.order(Column("logical_date"), Column("started_at")).fetchAll(db)
            let ids = runList.map(\.id)
            let attempts = try AttemptRecord.filter(ids.contains(Column("run_id"))).order(Column("id")).fetchAll(db)
            let proposals = try ProposalRecord.filter(ids.contains(Column("run_id"))).order(Column("id")).fetchAll(db)
            let batches = try QuarantineBatchRecord.filter(ids.contains(Column("run_id"))).fetchAll(db)
            return (runList, attempts, proposals, batches)
        }
    }

    /// Rows of an aggregate query for the metrics page: label values, then one number.
    public func metricRows(_ sql: String) throws -> [(labels: [String], value: Double)] {
        try database.read { db in
            try Row.fetchAll(db, sql: sql).map { row in
                // Read through DatabaseValue: a typed subscript traps on a value of another storage class.
                func text(_ value: DatabaseValue) -> String {
                    switch value.storage {
                    case .null: return ""
                    case .int64(let i): return String(i)
                    case .double(let d): return String(d)
                    case .string(let s): return s
                    case .blob(let b): return "\(b.count) bytes"
                    }
                }
                func number(_ value: DatabaseValue) -> Double {
                    switch value.storage {
                    case .int64(let i): return Double(i)
                    case .double(let d): return d
                    case .string(let s): return Double(s) ?? 0
                    case .null, .blob: return 0
                    }
                }
                let values = (0..<row.count).map { row[$0] as DatabaseValue }
                return (values.dropLast().map(text), values.last.map(number) ?? 0)
            }
        }
    }

    public func artifacts(run: String) throws -> [ArtifactRecord] {
        try database.read { db in try ArtifactRecord.filter(Column("run_id") == run).order(Column("id")).fetchAll(db) }
    }

    public struct CircuitState: Sendable {
        public var consecutiveFailures: Int
        public var openedUntil: String?
    }

    public func circuit(_ endpoint: String) throws -> CircuitState? {
        try database.read { db in
            try Row.fetchOne(
                db,
                sql: "SELECT consecutive_failures, opened_until FROM source_circuits WHERE endpoint = ?",
                arguments: [endpoint]
            )
            .map { CircuitState(consecutiveFailures: $0["consecutive_failures"], openedUntil: $0["opened_until"]) }
        }
    }

    /// A success closes the circuit; the failure that reaches the threshold opens it until `openUntil`.
    public func recordCircuit(_ endpoint: String, failed: Bool, threshold: Int, openUntil: String) throws {
        try database.write { db in
            let previous =
                try Int.fetchOne(db, sql: "SELECT consecutive_failures FROM source_circuits WHERE endpoint = ?", arguments: [endpoint]) ?? 0
            let count = failed ? previous + 1 : 0
            let until: String? = failed && count >= threshold ? openUntil : nil
            try db.execute(
                sql: """
                    INSERT INTO source_circuits (endpoint, consecutive_failures, opened_until, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT(endpoint) DO UPDATE SET consecutive_failures = excluded.consecutive_failures,
                        opened_until = excluded.opened_until, updated_at = excluded.updated_at
                    """,
                arguments: [endpoint, count, until, Timestamp.now()]
            )
        }
    }

    public func insertProposal(_ proposal: ProposalRecord) throws {
        try database.write { db in try proposal.insert(db) }
    }

    public func proposals(run: String) throws -> [ProposalRecord] {
        try database.read { db in try ProposalRecord.filter(Column("run_id") == run).order(Column("id")).fetchAll(db) }
    }

    /// Model calls and tokens a run has spent, for its budget.
    public func modelSpend(run: String) throws -> (calls: Int, tokens: Int) {
        try database.read { db in
            let row = try Row.fetchOne(
                db,
                sql:
                    "SELECT count(*) AS calls, coalesce(sum(input_tokens + output_tokens), 0) AS tokens FROM proposals WHERE run_id = ? AND proposer = 'claude' AND verdict != 'skipped'",
                arguments: [run]
            )
            return (row?["calls"] ?? 0, row?["tokens"] ?? 0)
        }
    }

    public func mapping(fingerprint: String) throws -> MappingRecord? {
        try database.read { db in try MappingRecord.filter(Column("fingerprint") == fingerprint).fetchOne(db) }
    }

    public func mappings() throws -> [MappingRecord] {
        try database.read { db in try MappingRecord.order(Column("id")).fetchAll(db) }
    }

    public func mapping(id: Int64) throws -> MappingRecord? {
        try database.read { db in try MappingRecord.fetchOne(db, key: id) }
    }

    /// Remembers an accepted mapping, or counts one more use of a remembered one.
    public func remember(_ mapping: MappingRecord) throws {
        try database.write { db in
            if var existing = try MappingRecord.filter(Column("fingerprint") == mapping.fingerprint).fetchOne(db) {
                existing.uses += 1
                existing.lastUsedAt = Timestamp.now()
                existing.mapping = mapping.mapping
                existing.status = "active"
                try existing.update(db)
            } else {
                var fresh = mapping
                fresh.uses = 1
                fresh.lastUsedAt = Timestamp.now()
                try fresh.insert(db)
            }
        }
    }

    @discardableResult
    public func forgetMapping(id: Int64) throws -> Bool {
        try database.write { db in try MappingRecord.deleteOne(db, key: id) }
    }

    /// Rows read by the last `limit` loaded runs of a pipeline before `date`: the row-count rule's baseline.
    public func recentVolumes(pipeline: String, before date: String, limit: Int) throws -> [Int] {
        try database.read { db in
            try Int.fetchAll(
                db,
                sql: """
                    SELECT rows_read FROM runs
                    WHERE pipeline = ? AND logical_date < ? AND status IN ('succeeded', 'healed', 'partial')
                    GROUP BY logical_date HAVING started_at = MAX(started_at)
                    ORDER BY logical_date DESC LIMIT ?
                    """,
                arguments: [pipeline, date, limit]
            )
        }
    }
}
