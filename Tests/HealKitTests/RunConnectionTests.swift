import Foundation
import HealKit
import HealTesting
import Testing

/// Issue 18, item 3: a run talks to each warehouse target over one connection, shared by the ledger lookup, the
/// load, the health check and `sql` steps, and closes it when the run ends.
@Suite("one warehouse connection per run", .serialized, .timeLimit(.minutes(3)))
struct RunConnectionTests {
    /// Sessions PostgreSQL has counted for the database (each psql call adds its own once it ends).
    func sessions(_ url: String, _ password: String) async throws -> Int {
        let rows = try await TestPostgres.psql(url, password: password, "SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return Int(rows.first?.first ?? "") ?? -1
    }

    @Test func theExampleIntoPostgresOpensOneSession() async throws {
        let postgres = try await TestPostgres.server()
        let url = try await TestPostgres.freshDatabase(on: postgres)
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write("skills/sales-load.yml", "kind: load\ntarget: \(url)\ntable: sales\nmode: append\nkey: [sale_id]\n")
        try home.write("skills/day-rows.yml", """
            kind: sql
            query: SELECT count(*) FROM sales WHERE _heal_date = $1
            params: ["{date}"]
            expect: "> 0"
            """)
        let playbook = try home.read("playbooks/sales-daily.yml")
        try home.write("playbooks/sales-daily.yml", playbook + "  - name: day-rows\n    skill: day-rows\n")
        let environment = ["PGPASSWORD": postgres.password]

        let before = try await sessions(url, postgres.password)
        let run = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home, environment: environment)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("the query answered 500"), "\(run.stdout)")
        // The ledger lookup, the load, the health check's ledger and queries and the sql step share one session.
        // Each read here is a session too, counted once it ends: the k-th read after `before` has seen k of them.
        var reads = 0
        var opened = -1
        for _ in 0..<20 {
            try await Task.sleep(for: .milliseconds(150))
            reads += 1
            let now = try await sessions(url, postgres.password) - before - reads
            if now == opened { break }
            opened = now
        }
        #expect(opened == 1, "sessions the run opened: \(opened)")
    }
}
