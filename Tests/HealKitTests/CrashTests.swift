import Foundation
import HealKit
import HealTesting
import Testing

/// SIGKILL at named points of every phase (`HEAL_CRASH_AT`, a test-only hook where `heal` kills itself), then a plain
/// re-run: the warehouse holds the day before or after the whole load, never part of it; the re-run marks the dead
/// run interrupted, resumes from its last verified artifact and finishes exactly once, with balanced accounting.
@Suite("Crash safety and resume", .serialized, .timeLimit(.minutes(10)))
struct CrashTests {
    /// Every phase of the example's bad day (500 rows read, 8 quarantined, 3 duplicates, 489 loaded).
    static let points = [
        "run-start",
        "before-step:fetch", "before-checkpoint:fetch", "after-step:fetch",
        "before-step:schema", "before-checkpoint:schema", "after-step:schema",
        "before-step:quality", "before-checkpoint:quality", "after-step:quality",
        "before-step:transform", "before-checkpoint:transform", "after-step:transform",
        "before-step:load", "load-start", "load-row#1", "load-row#250", "load-row#489", "load-before-commit", "load-committed",
        "before-checkpoint:load", "after-step:load",
        "before-step:health", "before-checkpoint:health", "after-step:health",
        "run-finish",
    ]

    /// The load's points again, on PostgreSQL: its transaction must be just as whole.
    static let postgresPoints = ["load-row#250", "load-before-commit", "load-committed", "after-step:load", "run-finish"]

    static let steps = ["fetch", "schema", "quality", "transform", "load", "health"]

    /// Two points at a time, each in a home of its own (the machine has two cores; one run leaves one idle).
    @Test func sqliteAtEveryPoint() async throws {
        for pair in stride(from: 0, to: Self.points.count, by: 2) {
            try await withThrowingTaskGroup(of: Void.self) { group in
                for point in Self.points[pair..<min(pair + 2, Self.points.count)] {
                    group.addTask { try await self.crashAndResume(at: point, on: .sqlite) }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test(arguments: postgresPoints)
    func postgres(_ point: String) async throws {
        try await crashAndResume(at: point, on: .postgres)
    }

    func crashAndResume(at point: String, on kind: TestWarehouse.Kind) async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let warehouse = try await TestWarehouse.make(kind, for: home)
        var environment = warehouse.environment
        environment["HEAL_CRASH_AT"] = point
        let crashed = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19"], home: home, environment: environment)
        #expect(crashed.status != 0 && crashed.stderr.contains("crash point \(point.split(separator: "#")[0])"), "\(point): \(crashed.stdout)\(crashed.stderr)")

        // Right after the kill: none of the day, or all of it.
        let loaded = try await warehouse.hasTable("sales") ? try await warehouse.count("SELECT count(*) FROM sales") : 0
        #expect(loaded == 0 || loaded == 489, "\(point): \(loaded) rows after the kill")

        let rerun = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19", "--json"], home: home, environment: warehouse.environment)
        #expect(rerun.status == 0, "\(point): \(rerun.stdout)\(rerun.stderr)")
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(rerun.stdout.utf8))
        #expect(summary.status == .partial, "\(point)")
        #expect(summary.rows == RunSummary.Rows(read: 500, loaded: 489, quarantined: 8, deduplicated: 3, updated: 0), "\(point): \(summary.rows)")

        // Exactly once: 489 distinct keys, one ledger row that agrees with the table.
        #expect(try await warehouse.count("SELECT count(*) FROM sales") == 489, "\(point)")
        #expect(try await warehouse.count("SELECT count(DISTINCT sale_id) FROM sales") == 489, "\(point)")
        #expect(try await warehouse.rows("SELECT logical_date, rows FROM _heal_loads") == [["2026-11-19", "489"]], "\(point)")
        #expect(try await warehouse.count("SELECT count(*) FROM sales WHERE _heal_run IN (SELECT run_id FROM _heal_loads)") == 489, "\(point)")

        // The dead run is interrupted; what its checkpoints covered was resumed, not run again.
        let metadata = TestWarehouse.sqlite(home, file: "metadata.db")
        #expect(try await metadata.rows("SELECT status FROM runs ORDER BY started_at, id") == [["interrupted"], ["partial"]], "\(point)")
        #expect(try await metadata.count("SELECT count(*) FROM runs WHERE status = 'partial' AND rows_read = rows_loaded + rows_quarantined + rows_deduplicated") == 1)
        if point.hasPrefix("after-step:"), let done = CrashTests.steps.firstIndex(of: String(point.dropFirst("after-step:".count))) {
            #expect(summary.steps.prefix(done + 1).allSatisfy { $0.status == "resumed" }, "\(point): \(summary.steps.map(\.status))")
            #expect(summary.steps.dropFirst(done + 1).allSatisfy { $0.status != "resumed" }, "\(point): \(summary.steps.map(\.status))")
        }

        // And once more: the day is complete, nothing to do.
        let again = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19", "--json"], home: home, environment: warehouse.environment)
        #expect(try JSONDecoder().decode(RunSummary.self, from: Data(again.stdout.utf8)).status == .skipped, "\(point)")
        #expect(try await warehouse.count("SELECT count(*) FROM sales") == 489)
    }

    /// Two runs of one pipeline at once: the second says who holds the pipeline and does nothing.
    @Test func aSecondRunOfThePipelineExitsClearly() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write("skills/pause.yml", "kind: command\nrun: [sleep, \"3\"]\n")
        try home.write("playbooks/sales-daily.yml", try home.read("playbooks/sales-daily.yml").replacingOccurrences(of: """
              - name: load
                skill: sales-load
            """, with: """
              - name: pause
                skill: pause
              - name: load
                skill: sales-load
            """))
        async let first = HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home)
        let lock = home.url("staging/.locks/sales-daily.lock").path
        let deadline = ContinuousClock.now + .seconds(20)
        while ((try? String(contentsOfFile: lock, encoding: .utf8)) ?? "").isEmpty, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        let second = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home)
        #expect(second.status == 2)
        #expect(second.stderr.contains("heal: sales-daily is already running (run ") && second.stderr.contains("this run did nothing"), "\(second.stderr)")
        let done = try await first
        #expect(done.status == 0, "\(done.stdout)\(done.stderr)")
        let warehouse = TestWarehouse.sqlite(home, file: "warehouse.db")
        #expect(try await warehouse.count("SELECT count(*) FROM sales") == 500)
        #expect(try await TestWarehouse.sqlite(home, file: "metadata.db").rows("SELECT status FROM runs") == [["succeeded"]])
    }
}
