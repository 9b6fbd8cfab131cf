import Foundation
import GRDB

/// `schema_changes` in metadata.db: written after the load (or the migration) that made them committed.
extension MetadataStore {
    public func recordSchemaChanges(_ records: [SchemaChangeRecord]) throws {
        guard !records.isEmpty else { return }
        try database.write { db in
            for r in records {
                try db.execute(
                    sql: """
                        INSERT INTO schema_changes (run_id, pipeline, logical_date, target, table_name, change, column_name, from_type, to_type, source, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        r.runID, r.pipeline, r.date, r.target, r.table, r.change.kind.rawValue, r.change.column,
                        r.change.from, r.change.to, r.change.source, r.createdAt,
                    ]
                )
            }
        }
    }

    /// Changes a pipeline's loads made on logical dates from `from` to `to` (inclusive), and migrations made then.
    public func schemaChanges(pipeline: String?, dates from: String, _ to: String) throws -> [SchemaChangeRecord] {
        let all = try schemaChanges(pipeline: pipeline)
        return all.filter { record in
            let day = record.date ?? String(record.createdAt.prefix(10))
            return day >= from && day <= to
        }
    }

    /// Changes of one run, or of a pipeline (every pipeline when nil), oldest first.
    public func schemaChanges(run: String? = nil, pipeline: String? = nil) throws -> [SchemaChangeRecord] {
        var conditions: [String] = []
        var arguments: [(any DatabaseValueConvertible)?] = []
        if let run {
            conditions.append("run_id = ?")
            arguments.append(run)
        }
        if let pipeline {
            conditions.append("pipeline = ?")
            arguments.append(pipeline)
        }
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM schema_changes\(filter) ORDER BY id", arguments: StatementArguments(arguments)).map {
                row in
                let kind = SchemaChange.Kind(rawValue: row["change"]) ?? .added
                return SchemaChangeRecord(
                    runID: row["run_id"],
                    pipeline: row["pipeline"],
                    date: row["logical_date"],
                    target: row["target"],
                    table: row["table_name"],
                    change: SchemaChange(
                        kind: kind,
                        column: row["column_name"],
                        from: row["from_type"],
                        to: row["to_type"],
                        source: row["source"]
                    ),
                    createdAt: row["created_at"]
                )
            }
        }
    }
}
