import Foundation
import HealKit
import HealTesting
import Testing

/// Loads users can trust, on both warehouses: re-runs, --force, a changed input, merge, upsert, and a stopped
/// PostgreSQL (schema evolution is TableSchemaTests').
@Suite("Warehouses: SQLite and PostgreSQL", .serialized, .timeLimit(.minutes(5)))
struct WarehouseTests {
    /// A small pipeline: the day's file, a contract, a load keyed on id.
    func home(_ kind: TestWarehouse.Kind, load: String = "mode: append", onFailure: String = "") async throws -> (TestHome, TestWarehouse) {
        let home = try TestHome()
        try home.write("playbooks/items.yml", """
            retry: { attempts: 2, backoff_ms: 50, jitter: 0 }
            steps:
              - { name: fetch, skill: fetch }
              - { name: schema, skill: contract }
              - name: load
                skill: load
            \(onFailure)
            """)
        try home.write("skills/fetch.yml", "kind: fetch\nsource: landing/items_{date:yyyyMMdd}.csv\n")
        try home.write("skills/contract.yml", """
            kind: validate_schema
            columns:
              - { name: id, type: integer }
              - { name: name, type: string }
              - { name: amount, type: decimal, required: false }
              - { name: note, type: string, required: false }
            """)
        try home.write("skills/load.yml", "kind: load\ntarget: sqlite:warehouse.db\ntable: items\nkey: [id]\n\(load)\n")
        try home.write("skills/upsert.yml", "kind: upsert\n")
        let warehouse = try await TestWarehouse.make(kind, for: home)
        return (home, warehouse)
    }

    func run(_ home: TestHome, _ warehouse: TestWarehouse, _ date: String, _ extra: [String] = []) async throws -> (HealProcess.Result, [String: Any]) {
        let result = try await HealProcess.run(["run", "items", "--date", date, "--json"] + extra, home: home, environment: warehouse.environment)
        let json = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        return (result, json)
    }

    func metadata(_ home: TestHome, _ sql: String) async throws -> [[String]] {
        try await TestWarehouse.sqlite(home, file: "metadata.db").rows(sql)
    }

    @Test(arguments: TestWarehouse.Kind.allCases)
    func rerunForceAndAChangedInput(_ kind: TestWarehouse.Kind) async throws {
        let (home, warehouse) = try await home(kind)
        defer { home.remove() }
        try home.write("landing/items_20261101.csv", "id,name,amount\n1,apple,1.50\n2,pear,2.25\n3,fig,3\n")
        let (first, one) = try await run(home, warehouse, "2026-11-01")
        #expect(first.status == 0 && one["status"] as? String == "succeeded", "\(first.stdout)\(first.stderr)")
        #expect(try await warehouse.rows("SELECT id, name, amount FROM items ORDER BY id") == [["1", "apple", "1.5"], ["2", "pear", "2.25"], ["3", "fig", "3"]])

        // The same day and input again: skipped, nothing twice.
        let (_, two) = try await run(home, warehouse, "2026-11-01")
        #expect(two["status"] as? String == "skipped")
        #expect(try await warehouse.count("SELECT count(*) FROM items") == 3)

        // --force replaces the day's partition and its ledger row, in one transaction.
        let (_, forced) = try await run(home, warehouse, "2026-11-01", ["--force"])
        #expect(forced["status"] as? String == "succeeded")
        #expect(try await warehouse.count("SELECT count(*) FROM items") == 3)
        #expect(try await warehouse.count("SELECT count(*) FROM _heal_loads WHERE logical_date = '2026-11-01'") == 1)
        #expect(try await warehouse.rows("SELECT run_id FROM _heal_loads") == [[forced["run_id"] as! String]])

        // A different file for a loaded day: refused with an alert (exit 1); the table is untouched.
        try home.write("landing/items_20261101.csv", "id,name,amount\n1,apple,1.50\n2,pear,2.25\n3,fig,3.75\n4,kiwi,4\n")
        let (refused, three) = try await run(home, warehouse, "2026-11-01")
        #expect(refused.status == 1 && (three["error"] as? String ?? "").contains("from a different input"), "\(refused.stdout)")
        #expect(refused.stderr.contains("ALERT"))
        #expect(try await warehouse.count("SELECT count(*) FROM items") == 3)

        // With on_changed_input: merge, the new file merges on the key: one row inserted, three updated.
        try home.write("skills/load.yml", "kind: load\ntarget: sqlite:warehouse.db\ntable: items\nkey: [id]\non_changed_input: merge\n")
        try warehouse.retarget()
        let (merged, four) = try await run(home, warehouse, "2026-11-01")
        #expect(merged.status == 0, "\(merged.stdout)\(merged.stderr)")
        #expect(four["rows"] as? [String: Int] == ["read": 4, "loaded": 1, "quarantined": 0, "deduplicated": 0, "updated": 3])
        #expect(try await warehouse.rows("SELECT id, amount FROM items ORDER BY id") == [["1", "1.5"], ["2", "2.25"], ["3", "3.75"], ["4", "4"]])
        #expect(try await metadata(home, "SELECT rows_read, rows_loaded, rows_updated FROM runs WHERE id = '\(four["run_id"] as! String)'") == [["4", "1", "3"]])
        // The merged input is now the day's newest ledger row: the same file again is skipped.
        let (_, five) = try await run(home, warehouse, "2026-11-01")
        #expect(five["status"] as? String == "skipped")
    }

    @Test(arguments: TestWarehouse.Kind.allCases)
    func keysFromAnotherFileAreUpserted(_ kind: TestWarehouse.Kind) async throws {
        let (home, warehouse) = try await home(kind, onFailure: "    on_failure: { constraint_violation: [upsert] }")
        defer { home.remove() }
        try home.write("landing/items_20261101.csv", "id,name,amount\n1,apple,1.50\n2,pear,2.25\n")
        try home.write("landing/items_20261102.csv", "id,name,amount\n2,pear,2.40\n5,plum,5\n")
        #expect(try await run(home, warehouse, "2026-11-01").0.status == 0)
        let (healed, summary) = try await run(home, warehouse, "2026-11-02")
        #expect(healed.status == 0, "\(healed.stdout)\(healed.stderr)")
        #expect(summary["status"] as? String == "healed")
        #expect(summary["rows"] as? [String: Int] == ["read": 2, "loaded": 1, "quarantined": 0, "deduplicated": 0, "updated": 1])
        let steps = summary["steps"] as? [[String: Any]] ?? []
        let attempts = (steps.last?["attempts"] as? [[String: Any]] ?? []).map { "\($0["skill"]!):\($0["outcome"]!)" }
        #expect(attempts == ["load:fail", "upsert:pass", "load:pass"], "\(attempts)")
        #expect(try await warehouse.rows("SELECT id, amount, _heal_date FROM items ORDER BY id") == [["1", "1.5", "2026-11-01"], ["2", "2.4", "2026-11-02"], ["5", "5", "2026-11-02"]])
        #expect(try await warehouse.rows("SELECT logical_date, rows FROM _heal_loads ORDER BY logical_date") == [["2026-11-01", "2"], ["2026-11-02", "2"]])
    }

    /// Column and table names come from untrusted files: quotes and SQL in them stay names.
    @Test(arguments: TestWarehouse.Kind.allCases)
    func hostileNamesStayNames(_ kind: TestWarehouse.Kind) async throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("playbooks/items.yml", "steps:\n  - { name: fetch, skill: fetch }\n  - { name: load, skill: load }\n")
        try home.write("skills/fetch.yml", "kind: fetch\nsource: landing/items.csv\n")
        try home.write("skills/load.yml", "kind: load\ntarget: sqlite:warehouse.db\ntable: 'it\"ems'\n")
        try home.write("landing/items.csv", "id,\"na\"\"me\"\"); DROP TABLE x; --\"\n1,a\\b\tc\n2,'quoted'\n")
        let warehouse = try await TestWarehouse.make(kind, for: home)
        let run = try await HealProcess.run(["run", "items", "--date", "2026-11-01"], home: home, environment: warehouse.environment)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(try await warehouse.rows("SELECT id, \"na\"\"me\"\"); DROP TABLE x; --\" FROM \"it\"\"ems\" ORDER BY id") == [["1", "a\\b\tc"], ["2", "'quoted'"]])
    }

    /// A PostgreSQL server of this test's own: loaded once, stopped (retries, then an alert), started again (loads).
    @Test func aStoppedPostgresIsRetriedThenAlerted() async throws {
        // A leftover from an earlier run is removed first, so the server starts empty.
        try await TestPostgres.destroy(try await TestPostgres.start(state: "/tmp/heal-test-postgres-stopped"))
        let server = try await TestPostgres.start(state: "/tmp/heal-test-postgres-stopped")
        let home = try TestHome()
        defer { home.remove() }
        try home.write("playbooks/items.yml", """
            retry: { attempts: 3, backoff_ms: 100, jitter: 0 }
            steps:
              - { name: fetch, skill: fetch }
              - { name: load, skill: load }
              - { name: health, skill: health }
            """)
        try home.write("skills/fetch.yml", "kind: fetch\nsource: landing/items_{date:yyyyMMdd}.csv\n")
        try home.write("skills/load.yml", "kind: load\ntarget: \(server.url(database: "heal_test"))\ntable: items\n")
        try home.write("skills/health.yml", "kind: health_check\nchecks:\n  - { name: rows, sql: SELECT count(*) FROM items, expect: 1 }\n")
        try home.write("landing/items_20261101.csv", "id,name\n1,apple\n")
        try home.write("landing/items_20261102.csv", "id,name\n2,pear\n")
        let environment = ["PGPASSWORD": server.password]
        let ok = try await HealProcess.run(["run", "items", "--date", "2026-11-01"], home: home, environment: environment)
        #expect(ok.status == 0, "\(ok.stdout)\(ok.stderr)")

        // A refused password is a setting to fix, not an outage: configuration, tried once, the hint names PGPASSWORD.
        let refused = try await HealProcess.run(["run", "items", "--date", "2026-11-02"], home: home, environment: ["PGPASSWORD": "not-the-password"])
        #expect(refused.status == 1)
        #expect(refused.stdout.contains("configuration: PostgreSQL postgres://heal@127.0.0.1:\(server.port)/heal_test: password authentication failed"), "\(refused.stdout)")
        #expect(refused.stdout.contains("set the password in PGPASSWORD") && !refused.stdout.contains("(try 2)"), "\(refused.stdout)")
        #expect(refused.stderr.contains("(configuration)") && !refused.stderr.contains("not-the-password"), "\(refused.stderr)")
        // So is an unset environment variable in a path.
        try home.write("skills/fetch.yml", "kind: fetch\nsource: landing/{env.HEAL_TEST_NEVER_SET}/items_{date:yyyyMMdd}.csv\n")
        let unset = try await HealProcess.run(["run", "items", "--date", "2026-11-02"], home: home, environment: environment)
        #expect(unset.stdout.contains("configuration: '{env.HEAL_TEST_NEVER_SET}'") && unset.stdout.contains("the environment variable HEAL_TEST_NEVER_SET is not set"), "\(unset.stdout)")
        try home.write("skills/fetch.yml", "kind: fetch\nsource: landing/items_{date:yyyyMMdd}.csv\n")

        try await TestPostgres.stop(server)
        let down = try await HealProcess.run(["run", "items", "--date", "2026-11-02"], home: home, environment: environment)
        #expect(down.status == 1)
        #expect(down.stdout.contains("target_unavailable: PostgreSQL postgres://heal@127.0.0.1:\(server.port)/heal_test refused the connection"), "\(down.stdout)")
        #expect(down.stdout.contains("(try 3)"))
        #expect(down.stderr.contains("ALERT") && down.stderr.contains("(target_unavailable)"))
        #expect(!down.stdout.contains(server.password) && !down.stderr.contains(server.password))

        // Started again with its data: the night loads, and the health check sees both days.
        let again = try await TestPostgres.start(state: "/tmp/heal-test-postgres-stopped")
        #expect(again.port == server.port)
        try home.write("skills/health.yml", "kind: health_check\nchecks:\n  - { name: rows, sql: SELECT count(*) FROM items, expect: 2 }\n")
        let back = try await HealProcess.run(["run", "items", "--date", "2026-11-02"], home: home, environment: environment)
        #expect(back.status == 0, "\(back.stdout)\(back.stderr)")
        try await TestPostgres.destroy(again)
    }
}
