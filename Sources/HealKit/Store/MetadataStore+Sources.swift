import Foundation
import GRDB

/// What a source remembers between runs: its watermark and its endpoint's circuit.
extension MetadataStore {
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
}
