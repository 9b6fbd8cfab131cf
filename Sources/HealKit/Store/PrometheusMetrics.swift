import Foundation

/// heal's figures in Prometheus' text exposition format (version 0.0.4), read from metadata.db, so every process
/// (a `heal run`, the daemon, a release) reports the same totals. Written after each run for node_exporter's
/// textfile collector, and served by the daemon at /metrics.
public enum PrometheusMetrics {
    struct Family {
        var name: String
        var type: String
        var help: String
        var labels: [String]
        /// Each sample's name suffix and the query giving its label values and value (a summary has _sum and _count).
        var samples: [(suffix: String, sql: String)]

        init(name: String, type: String, help: String, labels: [String], sql: String) {
            self.init(name: name, type: type, help: help, labels: labels, samples: [("", sql)])
        }

        init(name: String, type: String, help: String, labels: [String], samples: [(suffix: String, sql: String)]) {
            self.name = name
            self.type = type
            self.help = help
            self.labels = labels
            self.samples = samples
        }
    }

    static let families = [
        Family(
            name: "heal_runs_total",
            type: "counter",
            help: "Playbook runs by final status.",
            labels: ["pipeline", "status"],
            sql: "SELECT pipeline, status, count(*) FROM runs WHERE kind = 'run' AND status != 'running' GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        Family(
            name: "heal_rows_total",
            type: "counter",
            help: "Rows by outcome, over every run and release.",
            labels: ["pipeline", "outcome"],
            sql: """
                SELECT pipeline, 'read', sum(rows_read) FROM runs GROUP BY 1
                UNION ALL SELECT pipeline, 'loaded', sum(rows_loaded) FROM runs GROUP BY 1
                UNION ALL SELECT pipeline, 'quarantined', sum(rows_quarantined) FROM runs WHERE kind = 'run' GROUP BY 1
                UNION ALL SELECT pipeline, 'deduplicated', sum(rows_deduplicated) FROM runs GROUP BY 1
                UNION ALL SELECT pipeline, 'updated', sum(rows_updated) FROM runs GROUP BY 1
                ORDER BY 1, 2
                """
        ),
        Family(
            name: "heal_step_duration_seconds",
            type: "summary",
            help: "Time spent in each step, every attempt included.",
            labels: ["pipeline", "step"],
            samples: [
                (
                    "_sum",
                    "SELECT r.pipeline, a.step, sum(a.duration_ms) / 1000.0 FROM attempts a JOIN runs r ON r.id = a.run_id GROUP BY 1, 2 ORDER BY 1, 2"
                ),
                (
                    "_count",
                    "SELECT r.pipeline, a.step, count(DISTINCT a.run_id) FROM attempts a JOIN runs r ON r.id = a.run_id GROUP BY 1, 2 ORDER BY 1, 2"
                ),
            ]
        ),
        Family(
            name: "heal_attempts_total",
            type: "counter",
            help: "Attempts by ladder level and outcome.",
            labels: ["pipeline", "step", "level", "outcome"],
            sql:
                "SELECT r.pipeline, a.step, CAST(a.level AS TEXT), a.outcome, count(*) FROM attempts a JOIN runs r ON r.id = a.run_id GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4"
        ),
        Family(
            name: "heal_quarantine_rows",
            type: "gauge",
            help: "Quarantined rows by review state.",
            labels: ["pipeline", "state"],
            sql: """
                SELECT pipeline, 'open', sum(rows - released - discarded) FROM quarantine_batches GROUP BY 1
                UNION ALL SELECT pipeline, 'released', sum(released) FROM quarantine_batches GROUP BY 1
                UNION ALL SELECT pipeline, 'discarded', sum(discarded) FROM quarantine_batches GROUP BY 1
                ORDER BY 1, 2
                """
        ),
        Family(
            name: "heal_quarantine_batches_total",
            type: "counter",
            help: "Quarantine batches written.",
            labels: ["pipeline"],
            sql: "SELECT pipeline, count(*) FROM quarantine_batches GROUP BY 1 ORDER BY 1"
        ),
        Family(
            name: "heal_proposals_total",
            type: "counter",
            help: "Schema-repair proposals by proposer and verdict.",
            labels: ["proposer", "verdict"],
            sql: "SELECT proposer, verdict, count(*) FROM proposals GROUP BY 1, 2 ORDER BY 1, 2"
        ),
        Family(
            name: "heal_model_tokens_total",
            type: "counter",
            help: "Tokens sent to and received from the model.",
            labels: ["direction"],
            sql:
                "SELECT 'input', coalesce(sum(input_tokens), 0) FROM proposals UNION ALL SELECT 'output', coalesce(sum(output_tokens), 0) FROM proposals"
        ),
        Family(
            name: "heal_alerts_total",
            type: "counter",
            help: "Level-3 alerts raised.",
            labels: ["pipeline"],
            sql: "SELECT pipeline, count(*) FROM alerts WHERE severity <> 'resolved' GROUP BY 1 ORDER BY 1"
        ),
        Family(
            name: "heal_last_run_timestamp_seconds",
            type: "gauge",
            help: "When the latest run of a pipeline finished (Unix time).",
            labels: ["pipeline"],
            sql:
                "SELECT pipeline, max(strftime('%s', finished_at)) FROM runs WHERE kind = 'run' AND finished_at IS NOT NULL GROUP BY 1 ORDER BY 1"
        ),
        Family(
            name: "heal_last_run_ok",
            type: "gauge",
            help: "1 when the latest run of a pipeline left good data (succeeded, healed, partial, skipped), else 0.",
            labels: ["pipeline"],
            sql: """
                SELECT pipeline, CASE WHEN status IN ('succeeded', 'healed', 'partial', 'skipped') THEN 1 ELSE 0 END
                FROM runs r WHERE kind = 'run' AND status != 'running' AND started_at = (SELECT max(started_at) FROM runs WHERE pipeline = r.pipeline AND kind = 'run' AND status != 'running')
                ORDER BY 1
                """
        ),
    ]

    public static func render(_ store: MetadataStore) throws -> String {
        var out = ""
        for family in families {
            out += "# HELP \(family.name) \(family.help)\n# TYPE \(family.name) \(family.type)\n"
            for (suffix, sql) in family.samples {
                for row in try store.metricRows(sql) {
                    let labels = zip(family.labels, row.labels).map { "\($0)=\"\(escape($1))\"" }.joined(separator: ",")
                    out += "\(family.name)\(suffix){\(labels)} \(number(row.value))\n"
                }
            }
        }
        return out
    }

    /// Writes the page under a temporary name and renames it, as the textfile collector requires.
    public static func write(_ store: MetadataStore, to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try AtomicFile.write(Data(try render(store).utf8), to: url)
    }

    /// Label values escape backslash, double quote and line feed.
    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(
            of: "\n",
            with: "\\n"
        )
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
