import Foundation
import GRDB

/// People's say on learned mappings (`approval: first_use | always` on schema_repair).
extension MetadataStore {
    /// Stores a mapping the gate passed as waiting for a person, and notes the date that waits on it; its id.
    public func pendMapping(_ mapping: MappingRecord, date: String, run: String) throws -> Int64 {
        try database.write { db in
            var record: MappingRecord
            if var existing = try MappingRecord.filter(MappingRecord.Columns.fingerprint == mapping.fingerprint).fetchOne(db) {
                if existing.mapping != mapping.mapping || existing.status == .rejected {
                    existing.mapping = mapping.mapping
                    existing.proposer = mapping.proposer
                }
                if existing.status != .active { existing.status = .pending }
                try existing.update(db)
                record = existing
            } else {
                record = mapping
                record.status = .pending
                try record.insert(db)
                record.id = db.lastInsertedRowID
            }
            let id = record.id!
            let waiting =
                try Int.fetchOne(
                    db,
                    sql: "SELECT count(*) FROM mapping_reviews WHERE mapping_id = ? AND logical_date = ? AND decision = 'pending'",
                    arguments: [id, date]
                ) ?? 0
            if waiting == 0 {
                try db.execute(
                    sql:
                        "INSERT INTO mapping_reviews (mapping_id, logical_date, run_id, decision, created_at) VALUES (?, ?, ?, 'pending', ?)",
                    arguments: [id, date, run, Timestamp.now()]
                )
            }
            return id
        }
    }

    /// Whether a person approved the mapping: once for every date (`first_use`), or for this date (`always`).
    public func isApproved(mapping id: Int64, date: String, everyUse: Bool) throws -> Bool {
        try database.read { db in
            let approvals = try String.fetchAll(
                db,
                sql: "SELECT logical_date FROM mapping_reviews WHERE mapping_id = ? AND decision = 'approved'",
                arguments: [id]
            )
            return everyUse ? approvals.contains(date) : !approvals.isEmpty
        }
    }

    /// A person's decision: the dates waiting on the mapping get it, and the mapping becomes active or rejected.
    /// Returns the dates that were waiting.
    public func reviewMapping(id: Int64, approve: Bool, actor: String) throws -> [String] {
        try database.write { db in
            guard var mapping = try MappingRecord.fetchOne(db, key: id) else { return [] }
            let decision = approve ? "approved" : "rejected"
            let dates = try String.fetchAll(
                db,
                sql: "SELECT logical_date FROM mapping_reviews WHERE mapping_id = ? AND decision = 'pending' ORDER BY logical_date",
                arguments: [id]
            )
            try db.execute(
                sql: "UPDATE mapping_reviews SET decision = ?, actor = ?, created_at = ? WHERE mapping_id = ? AND decision = 'pending'",
                arguments: [decision, actor, Timestamp.now(), id]
            )
            if dates.isEmpty {
                try db.execute(
                    sql: "INSERT INTO mapping_reviews (mapping_id, logical_date, decision, actor, created_at) VALUES (?, '', ?, ?, ?)",
                    arguments: [id, decision, actor, Timestamp.now()]
                )
            }
            mapping.status = approve ? .active : .rejected
            try mapping.update(db)
            return dates
        }
    }

    /// The dates that wait on a mapping.
    public func pendingDates(mapping id: Int64) throws -> [String] {
        try database.read { db in
            try String.fetchAll(
                db,
                sql: "SELECT logical_date FROM mapping_reviews WHERE mapping_id = ? AND decision = 'pending' ORDER BY logical_date",
                arguments: [id]
            )
        }
    }
}
