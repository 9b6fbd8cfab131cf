import GRDB

/// Versioned schema of metadata.db; each migration runs once, in order.
enum MetadataMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
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
                    """
            )
        }
        migrator.registerMigration("v2-circuits") { db in
            try db.execute(
                sql: """
                    CREATE TABLE source_circuits (
                        endpoint TEXT PRIMARY KEY,
                        consecutive_failures INTEGER NOT NULL,
                        opened_until TEXT,
                        updated_at TEXT NOT NULL
                    )
                    """
            )
        }
        migrator.registerMigration("v3-repairs") { db in
            try db.execute(
                sql: """
                    CREATE TABLE proposals (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        run_id TEXT NOT NULL REFERENCES runs(id),
                        step TEXT NOT NULL,
                        proposer TEXT NOT NULL,
                        fingerprint TEXT NOT NULL,
                        prompt_bytes INTEGER NOT NULL DEFAULT 0,
                        input_tokens INTEGER NOT NULL DEFAULT 0,
                        output_tokens INTEGER NOT NULL DEFAULT 0,
                        latency_ms INTEGER NOT NULL DEFAULT 0,
                        request_id TEXT,
                        verdict TEXT NOT NULL,
                        reason TEXT NOT NULL,
                        mapping TEXT,
                        created_at TEXT NOT NULL
                    );
                    CREATE INDEX proposals_run ON proposals(run_id);
                    CREATE TABLE schema_mappings (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        fingerprint TEXT NOT NULL UNIQUE,
                        pipeline TEXT NOT NULL,
                        skill TEXT NOT NULL,
                        contract_version TEXT NOT NULL,
                        header TEXT NOT NULL,
                        mapping TEXT NOT NULL,
                        proposer TEXT NOT NULL,
                        uses INTEGER NOT NULL DEFAULT 0,
                        created_at TEXT NOT NULL,
                        last_used_at TEXT
                    );
                    """
            )
        }
        migrator.registerMigration("v4-quarantine-review") { db in
            try db.execute(
                sql: """
                    ALTER TABLE runs ADD COLUMN kind TEXT NOT NULL DEFAULT 'run';
                    ALTER TABLE quarantine_batches ADD COLUMN released INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE quarantine_batches ADD COLUMN discarded INTEGER NOT NULL DEFAULT 0;
                    CREATE TABLE quarantine_actions (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        batch_id TEXT NOT NULL REFERENCES quarantine_batches(id),
                        action TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        rows INTEGER NOT NULL,
                        detail TEXT NOT NULL,
                        run_id TEXT,
                        created_at TEXT NOT NULL
                    );
                    CREATE INDEX quarantine_actions_batch ON quarantine_actions(batch_id);
                    CREATE TABLE quarantine_row_states (
                        batch_id TEXT NOT NULL REFERENCES quarantine_batches(id),
                        source_line INTEGER NOT NULL,
                        state TEXT NOT NULL,
                        action_id INTEGER NOT NULL REFERENCES quarantine_actions(id),
                        PRIMARY KEY (batch_id, source_line)
                    );
                    """
            )
        }
        migrator.registerMigration("v5-alert-routing") { db in
            try db.execute(
                sql: """
                    ALTER TABLE alerts ADD COLUMN severity TEXT NOT NULL DEFAULT 'critical';
                    ALTER TABLE alerts ADD COLUMN signature TEXT NOT NULL DEFAULT '';
                    ALTER TABLE alerts ADD COLUMN occurrences INTEGER NOT NULL DEFAULT 1;
                    ALTER TABLE alerts ADD COLUMN duplicate_of TEXT;
                    CREATE INDEX alerts_signature ON alerts(signature, created_at);
                    """
            )
        }
        migrator.registerMigration("v6-watermarks") { db in
            try db.execute(
                sql: """
                    CREATE TABLE watermarks (
                        pipeline TEXT NOT NULL,
                        source TEXT NOT NULL,
                        value TEXT NOT NULL,
                        run_id TEXT NOT NULL,
                        updated_at TEXT NOT NULL,
                        PRIMARY KEY (pipeline, source)
                    );
                    """
            )
        }
        migrator.registerMigration("v7-checkpoints") { db in
            // What each passed step left, so a run killed mid-way resumes from its last verified artifact.
            try db.execute(
                sql: """
                    CREATE TABLE checkpoints (
                        run_id TEXT NOT NULL REFERENCES runs(id),
                        step_index INTEGER NOT NULL,
                        step TEXT NOT NULL,
                        source TEXT NOT NULL,
                        artifact TEXT,
                        rows TEXT NOT NULL,
                        healed INTEGER NOT NULL DEFAULT 0,
                        watermark TEXT,
                        created_at TEXT NOT NULL,
                        PRIMARY KEY (run_id, step_index)
                    );
                    """
            )
        }
        migrator.registerMigration("v8-profiles") { db in
            // Per day, step and column, a profile of the loaded values: the history drift and repairs are judged on.
            // A run's profiles are pending until its load is accepted; a forced re-run's replace the date's.
            try db.execute(
                sql: """
                    CREATE TABLE profiles (
                        run_id TEXT NOT NULL,
                        pipeline TEXT NOT NULL,
                        step TEXT NOT NULL,
                        column_name TEXT NOT NULL,
                        logical_date TEXT NOT NULL,
                        accepted INTEGER NOT NULL DEFAULT 0,
                        profile TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        PRIMARY KEY (run_id, step, column_name)
                    );
                    CREATE INDEX profiles_baseline ON profiles(pipeline, step, column_name, accepted, logical_date);
                    ALTER TABLE proposals ADD COLUMN evidence TEXT NOT NULL DEFAULT '';
                    ALTER TABLE schema_mappings ADD COLUMN status TEXT NOT NULL DEFAULT 'active';
                    CREATE TABLE mapping_reviews (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        mapping_id INTEGER NOT NULL REFERENCES schema_mappings(id) ON DELETE CASCADE,
                        logical_date TEXT NOT NULL,
                        run_id TEXT,
                        decision TEXT NOT NULL,
                        actor TEXT,
                        created_at TEXT NOT NULL
                    );
                    CREATE INDEX mapping_reviews_mapping ON mapping_reviews(mapping_id);
                    CREATE TABLE drift_events (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        run_id TEXT NOT NULL,
                        pipeline TEXT NOT NULL,
                        logical_date TEXT NOT NULL,
                        step TEXT NOT NULL,
                        column_name TEXT NOT NULL,
                        check_name TEXT NOT NULL,
                        level TEXT NOT NULL,
                        accepted INTEGER NOT NULL DEFAULT 0,
                        detail TEXT NOT NULL,
                        created_at TEXT NOT NULL
                    );
                    CREATE INDEX drift_events_pipeline ON drift_events(pipeline, logical_date);
                    """
            )
        }
        migrator.registerMigration("v9-schema-changes") { db in
            // What loads and `heal table migrate` did to warehouse tables' columns: for runs show and the report.
            try db.execute(
                sql: """
                    CREATE TABLE schema_changes (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        run_id TEXT,
                        pipeline TEXT NOT NULL,
                        logical_date TEXT,
                        target TEXT NOT NULL,
                        table_name TEXT NOT NULL,
                        change TEXT NOT NULL,
                        column_name TEXT NOT NULL,
                        from_type TEXT,
                        to_type TEXT,
                        source TEXT,
                        created_at TEXT NOT NULL
                    );
                    CREATE INDEX schema_changes_pipeline ON schema_changes(pipeline, created_at);
                    """
            )
        }
        migrator.registerMigration("v10-snake-case-profiles") { db in
            // Stored profiles name their keys as heal's JSON output does (snake_case). In the sorted, unspaced text
            // the encoder wrote, a key is `"name":`; a value holding those letters has its quotes escaped.
            try db.execute(
                sql: """
                    UPDATE profiles SET profile = replace(replace(replace(profile,
                        '"minLength":', '"min_length":'), '"maxLength":', '"max_length":'), '"otherShapes":', '"other_shapes":')
                    """
            )
        }
        return migrator
    }
}
