import Foundation
import GRDB

/// Alerts as raised and delivered, and the failure signatures the three-day escalation compares.
extension MetadataStore {
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
                        AlertRecord.Columns.signature == alert.signature && AlertRecord.Columns.severity == alert.severity
                            && AlertRecord.Columns.logicalDate == alert.logicalDate
                            && AlertRecord.Columns.duplicateOf == nil && AlertRecord.Columns.createdAt >= windowStart
                    )
                    .order(AlertRecord.Columns.createdAt.desc).fetchOne(db)
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

    public func alerts(run: String) throws -> [AlertRecord] {
        try database.read { db in try AlertRecord.filter(AlertRecord.Columns.runId == run).order(AlertRecord.Columns.createdAt).fetchAll(db)
        }
    }
}
