import GRDB

/// Versioned schema of metadata.db; each migration runs once, in order.
enum MetadataMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE runs (
                    id TEXT PRIMARY KEY,
                    pipeline TEXT NOT NULL,
                    logical_date TEXT NOT NULL,
                    status TEXT NOT NULL,
                    started_at TEXT NOT NULL,
                    finished_at TEXT,
                    rows_read INTEGER NOT NULL DEFAULT 0,
                    rows_loaded INTEGER NOT NULL DEFAULT 0,
                    rows_quarantined INTEGER NOT NULL DEFAULT 0,
                    rows_deduplicated INTEGER NOT NULL DEFAULT 0,
                    rows_updated INTEGER NOT NULL DEFAULT 0,
                    source_sha256 TEXT,
                    forced INTEGER NOT NULL DEFAULT 0,
                    error TEXT
                );
                CREATE INDEX runs_pipeline_date ON runs(pipeline, logical_date);
                CREATE TABLE attempts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    step TEXT NOT NULL,
                    skill TEXT NOT NULL,
                    kind TEXT NOT NULL,
                    level INTEGER NOT NULL,
                    attempt INTEGER NOT NULL,
                    outcome TEXT NOT NULL,
                    failure_class TEXT,
                    details TEXT NOT NULL,
                    figures TEXT NOT NULL DEFAULT '{}',
                    started_at TEXT NOT NULL,
                    duration_ms INTEGER NOT NULL,
                    artifact TEXT
                );
                CREATE INDEX attempts_run ON attempts(run_id);
                CREATE TABLE artifacts (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    step TEXT NOT NULL,
                    path TEXT NOT NULL,
                    sha256 TEXT NOT NULL,
                    rows INTEGER,
                    bytes INTEGER NOT NULL,
                    created_at TEXT NOT NULL
                );
                CREATE TABLE alerts (
                    id TEXT PRIMARY KEY,
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    pipeline TEXT NOT NULL,
                    logical_date TEXT NOT NULL,
                    step TEXT NOT NULL,
                    failure_class TEXT,
                    summary TEXT NOT NULL,
                    payload TEXT NOT NULL,
                    delivery TEXT NOT NULL DEFAULT 'pending',
                    created_at TEXT NOT NULL
                );
                CREATE TABLE quarantine_batches (
                    id TEXT PRIMARY KEY,
                    run_id TEXT NOT NULL REFERENCES runs(id),
                    pipeline TEXT NOT NULL,
                    logical_date TEXT NOT NULL,
                    step TEXT NOT NULL,
                    path TEXT NOT NULL,
                    rows INTEGER NOT NULL,
                    reasons TEXT NOT NULL,
                    status TEXT NOT NULL DEFAULT 'open',
                    created_at TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2-circuits") { db in
            try db.execute(sql: """
                CREATE TABLE source_circuits (
                    endpoint TEXT PRIMARY KEY,
                    consecutive_failures INTEGER NOT NULL,
                    opened_until TEXT,
                    updated_at TEXT NOT NULL
                )
                """)
        }
        return migrator
    }
}
