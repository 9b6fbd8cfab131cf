import Foundation
import GRDB

/// Runs, their attempts, artifacts and checkpoints: what a run writes as it goes and what resume and history read.
extension MetadataStore {
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
            return last?.status == .interrupted ? last : nil
        }
    }

    public func insertAttempt(_ attempt: AttemptRecord) throws {
        try database.write { db in try attempt.insert(db) }
    }

    public func insertArtifact(_ artifact: ArtifactRecord) throws {
        try database.write { db in try artifact.insert(db) }
    }

    public func runs(pipeline: String? = nil, limit: Int = 50) throws -> [RunRecord] {
        try database.read { db in
            var request = RunRecord.order(RunRecord.Columns.startedAt.desc).limit(limit)
            if let pipeline { request = request.filter(RunRecord.Columns.pipeline == pipeline) }
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
            return try RunRecord.filter(RunRecord.Columns.id.like("\(prefix.replacingOccurrences(of: "%", with: ""))%")).limit(5).fetchAll(
                db
            )
        }
    }

    public func attempts(run: String) throws -> [AttemptRecord] {
        try database.read { db in try AttemptRecord.filter(AttemptRecord.Columns.runId == run).order(AttemptRecord.Columns.id).fetchAll(db)
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

    public func artifacts(run: String) throws -> [ArtifactRecord] {
        try database.read { db in
            try ArtifactRecord.filter(ArtifactRecord.Columns.runId == run).order(ArtifactRecord.Columns.id).fetchAll(db)
        }
    }

    public struct CircuitState: Sendable {
        public var consecutiveFailures: Int
        public var openedUntil: String?
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
