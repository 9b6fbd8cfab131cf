import Foundation
import GRDB

/// The queries behind the weekly report and the metrics page.
extension MetadataStore {
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
            var runs = RunRecord.filter(
                RunRecord.Columns.logicalDate >= from && RunRecord.Columns.logicalDate <= to && RunRecord.Columns.kind == RunKind.run
            )
            if let pipeline { runs = runs.filter(RunRecord.Columns.pipeline == pipeline) }
            let runList = try runs.order(RunRecord.Columns.logicalDate, RunRecord.Columns.startedAt).fetchAll(db)
            let ids = runList.map(\.id)
            let attempts = try AttemptRecord.filter(ids.contains(AttemptRecord.Columns.runId)).order(AttemptRecord.Columns.id).fetchAll(db)
            let proposals = try ProposalRecord.filter(ids.contains(ProposalRecord.Columns.runId)).order(ProposalRecord.Columns.id).fetchAll(
                db
            )
            let batches = try QuarantineBatchRecord.filter(ids.contains(QuarantineBatchRecord.Columns.runId)).fetchAll(db)
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
}
