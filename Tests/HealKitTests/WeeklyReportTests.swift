import Foundation
import GRDB
import HealKit
import HealTesting
import Testing

/// `heal report weekly` on a metadata.db scripted with two weeks of history whose every figure is known.
@Suite("Weekly report", .serialized, .timeLimit(.minutes(3)))
struct WeeklyReportTests {
    /// Week 2026-W46 (Nov 9–15) of pipeline `sales`, after a week W45 whose last two days carry the quality
    /// signature too (a streak that ends before the week must not count):
    /// - 9 succeeded; 10 and 11 healed by a schema repair that Claude proposed (Amount → amount);
    /// - 12, 13, 14 partial: 5, 6, 7 rows without sale_id quarantined (a recurring signature);
    /// - 13 and 14 fetch failed transiently once, then passed on retry; 15 failed: three 503s;
    /// - a release run on 12 (not a playbook run) is left out.
    func history() throws -> TestHome {
        let home = try TestHome()
        _ = try MetadataStore(url: home.url("metadata.db"))
        let db = try DatabaseQueue(path: home.url("metadata.db").path)
        try db.write { db in
            var attemptID = 0
            func run(_ day: Int, _ status: String, read: Int = 100, loaded: Int = 100, quarantined: Int = 0, kind: String = "run") throws -> String {
                let id = "\(kind)-2026-11-\(String(format: "%02d", day))"
                try db.execute(sql: """
                    INSERT INTO runs (id, pipeline, logical_date, status, started_at, rows_read, rows_loaded, rows_quarantined, kind)
                    VALUES (?, 'sales', ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [id, "2026-11-\(String(format: "%02d", day))", status, "2026-11-\(String(format: "%02d", day + 1))T02:00:00.000Z", read, loaded, quarantined, kind])
                return id
            }
            func attempt(_ run: String, _ step: String, _ skill: String, kind: String, level: Int = 1, number: Int = 1, _ outcome: String,
                         _ failure: String? = nil, _ details: String = "", at second: Int, ms: Int = 100) throws {
                attemptID += 1
                let day = run.suffix(2)
                try db.execute(sql: """
                    INSERT INTO attempts (id, run_id, step, skill, kind, level, attempt, outcome, failure_class, details, started_at, duration_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [attemptID, run, step, skill, kind, level, number, outcome, failure, details,
                                     "2026-11-\(day)T02:00:\(String(format: "%02d", second)).000Z", ms])
            }
            func quality(_ run: String, missing: Int, line: Int) throws {
                try attempt(run, "quality", "sales-quality", kind: "validate_quality", "fail", "quality_violation",
                            "\(missing) of 100 rows fail (not_null sale_id: \(missing)); e.g. line \(line): sale_id is empty", at: 10)
                try attempt(run, "quality", "quarantine", kind: "quarantine_filter", level: 2, "pass", at: 10)
                try attempt(run, "quality", "sales-quality", kind: "recheck", level: 2, "pass", at: 11, ms: 100)
                try db.execute(sql: """
                    INSERT INTO quarantine_batches (id, run_id, pipeline, logical_date, step, path, rows, reasons, status, created_at)
                    SELECT ?, id, pipeline, logical_date, 'quality', 'quarantine/x.csv', ?, ?, 'open', started_at FROM runs WHERE id = ?
                    """, arguments: [run + "-q", missing, "{\"not_null:sale_id\":\(missing)}", run])
            }
            func repaired(_ run: String, healAfter: Int, tokens: (Int, Int), latency: Int) throws {
                try attempt(run, "schema", "sales-contract", kind: "validate_schema", "fail", "schema_mismatch",
                            "staging/sales/\(run)/01-fetch.csv (csv): missing required column: amount (found 'Amount')", at: 5)
                try attempt(run, "schema", "repair", kind: "schema_repair", level: 2, "pass", at: 6)
                try attempt(run, "schema", "sales-contract", kind: "recheck", level: 2, "pass", at: 5 + healAfter, ms: 500)
                for (proposer, verdict, t, l) in [("heuristic", "none", (0, 0), 0), ("claude", "accepted", tokens, latency)] {
                    try db.execute(sql: """
                        INSERT INTO proposals (run_id, step, proposer, fingerprint, input_tokens, output_tokens, latency_ms, verdict, reason, mapping, created_at)
                        VALUES (?, 'schema', ?, 'f', ?, ?, ?, ?, '', ?, '2026-11-20T00:00:00.000Z')
                        """, arguments: [run, proposer, t.0, t.1, l, verdict,
                                         verdict == "accepted" ? #"{"operations":[{"from":"Amount","op":"rename","to":"amount"}]}"# : nil])
                }
            }
            func flakyFetch(_ run: String) throws {
                try attempt(run, "fetch", "fetch-sales", kind: "fetch", "fail", "transient", "HTTP 503 from https://example.test/sales_\(run.suffix(10)).csv", at: 0)
                try attempt(run, "fetch", "fetch-sales", kind: "fetch", number: 2, "pass", at: 1, ms: 200)
            }
            // W45: the quality signature on the 7th and 8th only.
            for day in 2...6 { _ = try run(day, "succeeded") }
            try quality(try run(7, "partial", loaded: 96, quarantined: 4), missing: 4, line: 3)
            try quality(try run(8, "partial", loaded: 97, quarantined: 3), missing: 3, line: 9)
            // W46.
            _ = try run(9, "succeeded")
            try repaired(try run(10, "healed"), healAfter: 2, tokens: (800, 60), latency: 1200)
            try repaired(try run(11, "healed"), healAfter: 3, tokens: (820, 64), latency: 1400)
            try quality(try run(12, "partial", loaded: 95, quarantined: 5), missing: 5, line: 17)
            let r13 = try run(13, "partial", loaded: 94, quarantined: 6)
            try flakyFetch(r13)
            try quality(r13, missing: 6, line: 23)
            let r14 = try run(14, "partial", loaded: 93, quarantined: 7)
            try flakyFetch(r14)
            try quality(r14, missing: 7, line: 41)
            let r15 = try run(15, "failed", read: 0, loaded: 0)
            for n in 1...3 {
                try attempt(r15, "fetch", "fetch-sales", kind: "fetch", number: n, "fail", "transient", "HTTP 503 from https://example.test/sales_20261115.csv", at: n)
            }
            _ = try run(12, "succeeded", read: 2, loaded: 2, kind: "release")
        }
        return home
    }

    @Test func everyFigureOfAScriptedFortnight() async throws {
        let home = try history()
        defer { home.remove() }
        let result = try await HealProcess.run(["report", "weekly", "--week", "2026-W46", "--format", "json"], home: home)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(WeeklyReport.self, from: Data(result.stdout.utf8))

        #expect((report.period.from, report.period.to, report.period.label) == ("2026-11-09", "2026-11-15", "2026-W46"))
        #expect(report.runs == 7)
        #expect(report.runsByStatus == ["succeeded": 1, "healed": 2, "partial": 3, "failed": 1])
        #expect(report.days.map(\.date) == (9...15).map { String(format: "2026-11-%02d", $0) })
        #expect(report.days[0].runs == ["succeeded": 1] && report.days[0].rowsLoaded == 100)
        #expect(report.days.map(\.rowsQuarantined) == [0, 0, 0, 5, 6, 7, 0])

        let failures = Dictionary(uniqueKeysWithValues: report.failures.map { ("\($0.step)/\($0.failureClass)", $0.runs) })
        #expect(failures == ["quality/quality_violation": 3, "schema/schema_mismatch": 2, "fetch/transient": 3])

        let quality = try #require(report.signatures.first { $0.step == "quality" })
        #expect(quality.pattern == "N of N rows fail (not_null sale_id: N)")
        #expect((quality.occurrences, quality.healed, quality.firstSeen, quality.lastSeen) == (3, 3, "2026-11-12", "2026-11-14"))
        #expect(quality.longestStreak == 3 && quality.recurring)
        let fetch = try #require(report.signatures.first { $0.step == "fetch" })
        #expect(fetch.pattern == "HTTP N from URL")
        #expect((fetch.occurrences, fetch.healed, fetch.longestStreak, fetch.recurring) == (3, 2, 3, true))
        let schema = try #require(report.signatures.first { $0.step == "schema" })
        #expect(schema.pattern == "PATH (csv): missing required column: amount (found '…')")
        #expect((schema.occurrences, schema.healed, schema.longestStreak, schema.recurring) == (2, 2, 2, false))
        #expect(report.signatures.count == 3)
        #expect(Set(report.recurring.map(\.step)) == ["quality", "fetch"])

        #expect(report.remediations.map { "\($0.step)/\($0.remediation)/\($0.failureClass) \($0.healed)/\($0.tried)" }
                == ["quality/quarantine/quality_violation 3/3", "schema/repair/schema_mismatch 2/2"])
        let claude = try #require(report.proposers.first { $0.proposer == "claude" })
        #expect((claude.proposals, claude.accepted, claude.rejected, claude.modelCalls) == (2, 2, 0, 2))
        #expect((claude.inputTokens, claude.outputTokens, claude.medianLatencyMs) == (1620, 124, 1200))
        let heuristic = try #require(report.proposers.first { $0.proposer == "heuristic" })
        #expect((heuristic.proposals, heuristic.accepted, heuristic.modelCalls, heuristic.rate) == (2, 0, 0, 0))

        #expect(report.quarantine.count == 1)
        #expect(report.quarantine.first.map { ($0.reason, $0.rows, $0.byDay, $0.trend) } ?? ("", 0, [], "")
                == ("not_null:sale_id", 18, [0, 0, 0, 5, 6, 7, 0], "rising"))
        // Heals: schema 2.5 s and 3.5 s, quality 1.1 s three times, fetch 1.2 s twice.
        #expect((report.timeToHeal.healedSteps, report.timeToHeal.medianMs, report.timeToHeal.maxMs) == (7, 1200, 3500))

        #expect(report.suggestions.count == 5)
        #expect(report.suggestions.contains { $0.hasPrefix("Promote quarantine: it healed quality_violation at sales/quality 3 of 3 times") })
        #expect(report.suggestions.contains { $0.hasPrefix("Add an alias: Claude mapped 'Amount' to 'amount' 2 times") })
        #expect(report.suggestions.contains { $0.hasPrefix("The source of sales/fetch failed transiently in 3 runs") })
        #expect(report.suggestions.filter { $0.hasPrefix("Recurring:") }.count == 2)

        // Markdown carries the same figures.
        let md = try await HealProcess.run(["report", "weekly", "--week", "2026-W46", "--pipeline", "sales"], home: home)
        #expect(md.stdout.contains("| sales/quality | quarantine | quality_violation | 3 | 3 | 100% |"))
        #expect(md.stdout.contains("7 healed steps · median 1200 ms · longest 3500 ms"))
        let other = try await HealProcess.run(["report", "weekly", "--week", "2026-W46", "--pipeline", "other", "--format", "json"], home: home)
        #expect(try JSONDecoder().decode(WeeklyReport.self, from: Data(other.stdout.utf8)).runs == 0)
        let bad = try await HealProcess.run(["report", "weekly", "--week", "2026-47"], home: home)
        #expect(bad.status == 2 && bad.stderr.contains("not an ISO week"))
    }

    /// The HTML opened in a real headless Chromium: it renders, a screenshot is taken, and the console stays silent.
    @Test func htmlRendersInChromiumWithoutConsoleErrors() async throws {
        let home = try history()
        defer { home.remove() }
        let result = try await HealProcess.run(["report", "weekly", "--week", "2026-W46", "--format", "html", "--out", "report.html"], home: home)
        #expect(result.status == 0, "\(result.stderr)")
        let html = try home.read("report.html")
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<svg") && !html.contains("<script"))
        #expect(!html.contains("src=") && !html.contains("<link"))
        let chromium = try #require(["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) },
                                    "Chromium is not installed (scripts/bootstrap installs it)")
        let flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--enable-logging=stderr", "--v=0"]
        let shot = try await HealProcess.run(executable: URL(fileURLWithPath: chromium),
                                             flags + ["--screenshot=\(home.url("report.png").path)", "--window-size=1200,2400", home.url("report.html").absoluteString],
                                             in: home)
        #expect(shot.status == 0, "\(shot.stderr)")
        let png = try Data(contentsOf: home.url("report.png"))
        #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000)
        #expect(!shot.stderr.contains(":CONSOLE"), "\(shot.stderr)")
        let dom = try await HealProcess.run(executable: URL(fileURLWithPath: chromium), flags + ["--dump-dom", home.url("report.html").absoluteString], in: home)
        #expect(dom.stdout.contains("N of N rows fail (not_null sale_id: N)"))
        #expect(dom.stdout.contains("<rect") && !dom.stderr.contains(":CONSOLE"))
        if let keep = ProcessInfo.processInfo.environment["HEAL_KEEP_SCREENSHOT"] {
            try? FileManager.default.removeItem(atPath: keep)
            try FileManager.default.copyItem(at: home.url("report.png"), to: URL(fileURLWithPath: keep))
        }
    }

    /// Real runs of the example: a forced re-run and a skipped one do not double the 19th; every proposal is in a
    /// column and a model call that failed still counts as a call; a load that keeps hitting existing keys gets a
    /// suggestion; the default week, empty, names the latest week with runs.
    @Test func aDayCountsOnceByItsFinalRun() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        for arguments in [["--date", "2026-11-18"], ["--date", "2026-11-19"], ["--date", "2026-11-19", "--force"], ["--date", "2026-11-19"], ["--date", "2026-11-22"]] {
            let run = try await HealProcess.run(["run", "sales-daily"] + arguments, home: home)
            #expect(run.status == 0, "\(arguments): \(run.stdout)\(run.stderr)")
        }
        let db = try DatabaseQueue(path: home.url("metadata.db").path)
        try await db.write { db in
            let run22 = try String.fetchOne(db, sql: "SELECT id FROM runs WHERE logical_date = '2026-11-22'")!
            // Claude asked after the heuristic, its request refused by the network: a call, with no tokens.
            try db.execute(sql: """
                INSERT INTO proposals (run_id, step, proposer, fingerprint, prompt_bytes, latency_ms, verdict, reason, created_at)
                VALUES (?, 'schema', 'claude', 'f', 5120, 30000, 'none', 'the Messages API did not answer within 30 s', '2026-11-23T02:00:00.000Z')
                """, arguments: [run22])
            for day in [20, 21] {
                try db.execute(sql: """
                    INSERT INTO runs (id, pipeline, logical_date, status, started_at, kind) VALUES (?, 'orders', ?, 'failed', ?, 'run')
                    """, arguments: ["orders-\(day)", "2026-11-\(day)", "2026-11-\(day + 1)T02:00:00.000Z"])
                try db.execute(sql: """
                    INSERT INTO attempts (run_id, step, skill, kind, level, attempt, outcome, failure_class, details, started_at, duration_ms)
                    VALUES (?, 'load', 'orders-load', 'load', 1, 1, 'fail', 'constraint_violation', 'UNIQUE constraint failed: orders.id', ?, 10)
                    """, arguments: ["orders-\(day)", "2026-11-\(day + 1)T02:00:01.000Z"])
            }
        }
        let result = try await HealProcess.run(["report", "weekly", "--week", "2026-W47", "--format", "json"], home: home)
        #expect(result.status == 0, "\(result.stderr)")
        let report = try JSONDecoder().decode(WeeklyReport.self, from: Data(result.stdout.utf8))
        #expect(report.runs == 5 && report.reruns == 2, "\(report.runs) \(report.reruns)")
        #expect(report.runsByStatus == ["succeeded": 1, "partial": 1, "healed": 1, "failed": 2], "\(report.runsByStatus)")
        let day19 = try #require(report.days.first { $0.date == "2026-11-19" })
        #expect(day19.runs == ["partial": 1] && day19.rowsRead == 500 && day19.rowsLoaded == 489 && day19.rowsQuarantined == 8, "\(day19)")
        #expect(report.quarantine.reduce(0) { $0 + $1.rows } == 8, "\(report.quarantine)")
        for p in report.proposers {
            #expect(p.proposals == p.accepted + p.rejected + p.pending + p.none, "\(p)")
        }
        let claude = try #require(report.proposers.first { $0.proposer == "claude" })
        #expect((claude.proposals, claude.none, claude.modelCalls, claude.failedCalls) == (1, 1, 1, 1), "\(claude)")
        #expect(report.suggestions.contains { $0.hasPrefix("orders/load hit constraint_violation in 2 runs") }, "\(report.suggestions)")

        let md = try await HealProcess.run(["report", "weekly", "--week", "2026-W47", "--pipeline", "sales-daily"], home: home)
        #expect(md.stdout.contains("· 3 days run (2 re-runs not counted: a day counts by its final run) ·"), "\(md.stdout)")
        #expect(md.stdout.contains("| claude | 1 | 0 | 0 | 0 | 1 | 1 (1) | 0/0 |"), "\(md.stdout)")

        let empty = try await HealProcess.run(["report", "weekly"], home: home)
        #expect(empty.status == 0 && empty.stderr.contains("the latest run is of 2026-11-22, in week 2026-W47: heal report weekly --week 2026-W47"), "\(empty.stderr)")
    }
}
