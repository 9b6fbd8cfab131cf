import Foundation
import GRDB

/// Schema-repair proposals and the mappings heal learned from them.
extension MetadataStore {
    public func insertProposal(_ proposal: ProposalRecord) throws {
        try database.write { db in try proposal.insert(db) }
    }

    public func proposals(run: String) throws -> [ProposalRecord] {
        try database.read { db in
            try ProposalRecord.filter(ProposalRecord.Columns.runId == run).order(ProposalRecord.Columns.id).fetchAll(db)
        }
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
        try database.read { db in try MappingRecord.filter(MappingRecord.Columns.fingerprint == fingerprint).fetchOne(db) }
    }

    public func mappings() throws -> [MappingRecord] {
        try database.read { db in try MappingRecord.order(MappingRecord.Columns.id).fetchAll(db) }
    }

    public func mapping(id: Int64) throws -> MappingRecord? {
        try database.read { db in try MappingRecord.fetchOne(db, key: id) }
    }

    /// Remembers an accepted mapping, or counts one more use of a remembered one.
    public func remember(_ mapping: MappingRecord) throws {
        try database.write { db in
            if var existing = try MappingRecord.filter(MappingRecord.Columns.fingerprint == mapping.fingerprint).fetchOne(db) {
                existing.uses += 1
                existing.lastUsedAt = Timestamp.now()
                existing.mapping = mapping.mapping
                existing.status = .active
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
}
