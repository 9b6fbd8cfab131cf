import Foundation
import HealKit
import HealTesting
import Testing

/// `heal backfill` and a fetch's `wait:` (issue 17, item 9), through the binary on the shipped example.
@Suite("Backfill and late files", .serialized, .timeLimit(.minutes(4)))
struct BackfillTests {
    func warehouse(_ home: TestHome, _ sql: String) async throws -> [[String]] {
        try await TestWarehouse.sqlite(home, file: "warehouse.db").rows(sql)
    }

    func metadata(_ home: TestHome, _ sql: String) async throws -> [[String]] {
        try await TestWarehouse.sqlite(home, file: "metadata.db").rows(sql)
    }

    /// The example's fetch skill with a `wait:` added.
    func waiting(_ home: TestHome, _ wait: String) throws {
        try home.write("skills/fetch-sales.yml", try home.read("skills/fetch-sales.yml") + "wait: \(wait)\n")
    }

    /// Three dates in order, each an ordinary run; a range over them skips what is loaded, and a day with no file
    /// fails the range (exit 1) while the dates before it stay loaded; the failed date is named with its run.
    @Test func datesRunInOrderWithASummaryAndTheRunExitRules() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let first = try await HealProcess.run(["backfill", "sales-daily", "--from", "2026-11-17", "--to", "2026-11-19"], home: home)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let lines = first.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "heal backfill sales-daily · 2026-11-17 to 2026-11-19 · 3 dates", "\(lines)")
        #expect(lines.count >= 5 && lines[1].hasPrefix("2026-11-17  healed") && lines[2].hasPrefix("2026-11-18  succeeded")
                && lines[3].hasPrefix("2026-11-19  partial      read 500 · loaded 489 · quarantined 8 · deduplicated 3"), "\(lines)")
        #expect(first.stdout.contains("3 runs: 1 succeeded · 1 healed · 1 partial"), "\(first.stdout)")
        #expect(try await warehouse(home, "SELECT substr(sale_id, 2, 8), count(*) FROM sales GROUP BY 1 ORDER BY 1")
                == [["20261117", "500"], ["20261118", "500"], ["20261119", "489"]])
        #expect(try await metadata(home, "SELECT logical_date, status FROM runs ORDER BY started_at")
                == [["2026-11-17", "healed"], ["2026-11-18", "succeeded"], ["2026-11-19", "partial"]])

        let again = try await HealProcess.run(["backfill", "sales-daily", "--from", "2026-11-19", "--to", "2026-11-21", "--json"], home: home)
        #expect(again.status == 1, "\(again.stdout)\(again.stderr)")
        let report = try JSONDecoder().decode(Backfill.Report.self, from: Data(again.stdout.utf8))
        #expect(report.runs.map(\.date) == ["2026-11-19", "2026-11-20", "2026-11-21"])
        // The 19th is loaded already, the 20th heals from the mirror, the 21st has no file anywhere.
        #expect(report.runs.map(\.status) == [.skipped, .healed, .failed], "\(report.runs.map(\.status))")
        #expect(report.counts == ["skipped": 1, "healed": 1, "failed": 1] && report.notRun.isEmpty)
        #expect(again.stderr.contains("ALERT heal: sales-daily 2026-11-21 failed at step 'fetch' (source_missing)"), "\(again.stderr)")

        let text = try await HealProcess.run(["backfill", "sales-daily", "--from", "2026-11-21", "--to", "2026-11-21"], home: home)
        let failedRun = try await metadata(home, "SELECT id FROM runs WHERE logical_date = '2026-11-21' ORDER BY started_at DESC LIMIT 1")[0][0]
        #expect(text.status == 1 && text.stdout.contains("1 run: 1 failed\n  2026-11-21 failed: heal runs show \(failedRun)"), "\(text.stdout)")
    }

    @Test func aBackwardOrEndlessRangeIsAUsageError() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        for (from, to, message) in [("2026-11-19", "2026-11-17", "--to 2026-11-17 is before --from 2026-11-19"),
                                    ("1990-01-01", "2026-11-17", "a backfill takes at most 3660"),
                                    ("2026-11-31", "2026-12-01", "--from '2026-11-31' is not a date")] {
            let run = try await HealProcess.run(["backfill", "sales-daily", "--from", from, "--to", to], home: home)
            #expect(run.status == 2 && run.stderr.contains(message), "\(run.stderr)")
        }
        let runs = home.exists("metadata.db") ? try await metadata(home, "SELECT count(*) FROM runs") : [["0"]]
        #expect(runs == [["0"]])
    }

    /// A file that lands while the fetch waits is loaded, and the attempt says after how many looks.
    @Test func aLateFileIsWaitedForThenLoaded() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try waiting(home, "{ timeout: 30s, poll: 1s }")
        let landing = home.url("examples/landing/sales_20261118.csv")
        let held = home.url("held.csv")
        try FileManager.default.moveItem(at: landing, to: held)
        async let run = HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home)
        try await Task.sleep(for: .milliseconds(2500))
        try FileManager.default.moveItem(at: held, to: landing)
        let result = try await run
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("polling every 1 s)"), "\(result.stdout)")
        let details = try await metadata(home, "SELECT details FROM attempts WHERE step = 'fetch'")
        #expect(details.count == 1 && details[0][0].contains("(arrived on look "), "\(details)")
        #expect(try await warehouse(home, "SELECT count(*) FROM sales") == [["500"]])
    }

    /// A file that never comes fails as source_missing once the wait is over (not retried again), saying how long
    /// it waited; a file too short is waited for like an absent one.
    @Test func aFileThatNeverComesIsMissingAfterTheWait() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try waiting(home, "{ timeout: 2s, poll: 1s }")
        let started = Date()
        let missing = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-24"], home: home)
        #expect(missing.status == 1 && missing.stdout.contains("no file at examples/landing/sales_20261124.csv (waited 2 s: 3 looks, every 1 s)"), "\(missing.stdout)")
        #expect(Date().timeIntervalSince(started) < 30)
        try home.write("examples/landing/sales_20261125.csv", "sale_id\n")
        let short = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-25"], home: home)
        #expect(short.status == 1, "\(short.stdout)")
        let attempts = try await metadata(home, "SELECT failure_class, details FROM attempts a JOIN runs r ON r.id = a.run_id WHERE r.logical_date = '2026-11-25' AND a.level = 1")
        #expect(attempts.count == 1 && attempts[0][0] == "source_missing" && attempts[0][1].contains("fewer than min_bytes 64") && attempts[0][1].contains("(waited 2 s:"), "\(attempts)")
    }

    /// A stop request during a backfill ends the wait at once: that date is interrupted, later dates are not run,
    /// and the summary says how to go on.
    @Test func aStopDuringABackfillNamesTheDatesNotRun() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try waiting(home, "{ timeout: 60s, poll: 1s }")
        try FileManager.default.removeItem(at: home.url("examples/landing/sales_20261118.csv"))
        let background = try RecoveryTests.Background(["backfill", "sales-daily", "--from", "2026-11-17", "--to", "2026-11-19"], home: home)
        try await background.waitFor("2026-11-17  healed")
        try await Task.sleep(for: .milliseconds(1500))
        let asked = Date()
        background.process.terminate()
        let status = try await background.wait()
        #expect(Date().timeIntervalSince(asked) < 10)
        #expect(status == 1, "\(background.output)")
        #expect(background.output.contains("2026-11-18  interrupted"), "\(background.output)")
        #expect(background.output.contains("stopped before 2026-11-19; not run: 1 date (heal backfill sales-daily --from 2026-11-19 --to 2026-11-19)"), "\(background.output)")
        #expect(try await metadata(home, "SELECT logical_date, status FROM runs ORDER BY started_at") == [["2026-11-17", "healed"], ["2026-11-18", "interrupted"]])
    }

    @Test func aWaitThatCannotBeIsAConfigError() async throws {
        for (wait, message) in [("{ timeout: 2x }", "expected a duration such as 90s, 15m or 2h, found '2x'"),
                                ("{ timeout: 10s, poll: 1m }", "poll 60 s is longer than timeout 10 s"),
                                ("{ timeout: 2d }", "found '2d'"),
                                ("{ poll: 1m }", "timeout")] {
            let home = try TestHome.example()
            defer { home.remove() }
            try waiting(home, wait)
            let check = try await HealProcess.run(["check"], home: home)
            #expect(check.status == 2 && check.stderr.contains("skills/fetch-sales.yml:6:") && check.stderr.contains(message), "\(wait): \(check.stderr)")
        }
    }
}
