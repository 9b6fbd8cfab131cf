import Foundation
import GRDB

/// The failures a pipeline's next good run resolves: critical alerts sent since the later of its last good run
/// and its last `resolved` notification.
extension MetadataStore {
    public struct OpenFailures: Sendable {
        public var alerts: [AlertRecord]
        /// Dates of those failures that no run has loaded (or found loaded) since.
        public var unloadedDates: [String]
    }

    public func openFailures(pipeline: String, excludingRun runID: String) throws -> OpenFailures {
        try database.read { db in
            let since =
                try String.fetchOne(
                    db,
                    sql: """
                        SELECT max(t) FROM (
                            SELECT max(finished_at) AS t FROM runs WHERE pipeline = ? AND kind = 'run' AND id <> ?
                                AND status IN ('succeeded', 'healed', 'partial')
                            UNION ALL SELECT max(created_at) FROM alerts WHERE pipeline = ? AND severity = 'resolved')
                        """,
                    arguments: [pipeline, runID, pipeline]
                ) ?? ""
            let alerts = try AlertRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM alerts WHERE pipeline = ? AND run_id <> ? AND severity = 'critical' AND duplicate_of IS NULL
                        AND created_at > ? ORDER BY created_at, id
                    """,
                arguments: [pipeline, runID, since]
            )
            var unloaded: [String] = []
            for date in Set(alerts.map(\.logicalDate)).sorted() {
                let loaded =
                    try Bool.fetchOne(
                        db,
                        sql: """
                            SELECT EXISTS (SELECT 1 FROM runs WHERE pipeline = ? AND logical_date = ? AND kind = 'run' AND id <> ?
                                AND status IN ('succeeded', 'healed', 'partial', 'skipped'))
                            """,
                        arguments: [pipeline, date, runID]
                    ) ?? false
                if !loaded { unloaded.append(date) }
            }
            return OpenFailures(alerts: alerts, unloadedDates: unloaded)
        }
    }
}
