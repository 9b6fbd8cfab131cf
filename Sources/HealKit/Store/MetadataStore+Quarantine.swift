import Foundation
import GRDB

/// Quarantine batches, the state of each row in them, and the review actions that changed it.
extension MetadataStore {
    public func insertQuarantineBatch(_ batch: QuarantineBatchRecord) throws {
        try database.write { db in try batch.insert(db) }
    }

    public func quarantineBatches(run: String) throws -> [QuarantineBatchRecord] {
        try database.read { db in
            try QuarantineBatchRecord.filter(QuarantineBatchRecord.Columns.runId == run).order(QuarantineBatchRecord.Columns.createdAt)
                .fetchAll(db)
        }
    }

    /// Batches, newest first, optionally of one pipeline, from a logical date on, in one status.
    public func quarantineBatches(
        pipeline: String? = nil,
        since: String? = nil,
        status: QuarantineBatchStatus? = nil
    ) throws -> [QuarantineBatchRecord] {
        try database.read { db in
            var request = QuarantineBatchRecord.order(QuarantineBatchRecord.Columns.createdAt.desc)
            if let pipeline { request = request.filter(QuarantineBatchRecord.Columns.pipeline == pipeline) }
            if let since { request = request.filter(QuarantineBatchRecord.Columns.logicalDate >= since) }
            // Superseded batches are history: shown only when asked for by name.
            if let status {
                request = request.filter(QuarantineBatchRecord.Columns.status == status)
            } else {
                request = request.filter(QuarantineBatchRecord.Columns.status != QuarantineBatchStatus.superseded)
            }
            return try request.fetchAll(db)
        }
    }

    /// A batch by its id or a unique prefix.
    public func quarantineBatch(matching prefix: String) throws -> [QuarantineBatchRecord] {
        try database.read { db in
            if let exact = try QuarantineBatchRecord.fetchOne(db, key: prefix) { return [exact] }
            return try QuarantineBatchRecord.filter(
                QuarantineBatchRecord.Columns.id.like("\(prefix.replacingOccurrences(of: "%", with: ""))%")
            ).limit(5)
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
            let state = action.action == .discard ? "discarded" : "released"
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

    public func quarantineActions(batch: String) throws -> [QuarantineActionRecord] {
        try database.read { db in
            try QuarantineActionRecord.filter(QuarantineActionRecord.Columns.batchId == batch).order(QuarantineActionRecord.Columns.id)
                .fetchAll(db)
        }
    }
}
