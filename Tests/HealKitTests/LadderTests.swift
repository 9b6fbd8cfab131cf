import Foundation
import GRDB
import HealKit
import HealTesting
import Testing

/// The escalation ladder, in process, with millisecond backoff.
@Suite("Escalation ladder", .timeLimit(.minutes(3)))
struct LadderTests {
    static let retry = """
        retry:
          attempts: 3
          backoff_ms: 100
          max_backoff_ms: 1000
          jitter: 0.2
        """

    func home(fetch: String, extraSteps: String = "", skills: [String: String] = [:]) throws -> PipelineFixture {
        let home = try TestHome()
        try home.write("playbooks/p.yml", """
            \(LadderTests.retry)
            steps:
              - name: fetch
                skill: get
                on_failure:
                  source_missing: [mirror]
            \(extraSteps)
            """)
        try home.write("skills/get.yml", "kind: fetch\nsource: \(fetch)\n")
        try home.write("skills/mirror.yml", "kind: fallback_source\nsource: mirror/in.csv\n")
        for (path, text) in skills { try home.write(path, text) }
        return try PipelineFixture(home: home)
    }

    @Test func retriesTransientFailuresWithBackoffThenSucceeds() async throws {
        let server = try await TestHTTPServer.flaky(failures: 2, then: Data("id\n1\n".utf8))
        defer { Task { await server.stop() } }
        let f = try home(fetch: "\(server.baseURL)/in.csv")
        defer { f.home.remove() }
        let events = EventRecorder()
        let summary = try await f.run("p", date: "2026-11-19", events: events)
        #expect(summary.status == .succeeded)
        #expect(summary.steps[0].attempts.map(\.outcome) == ["fail", "fail", "pass"])
        #expect(summary.steps[0].attempts.map(\.level) == [1, 1, 1])
        let times = await server.requests().map(\.at)
        #expect(times.count == 3)
        // Backoff 100 ms then 200 ms, each shortened by at most 20 % jitter.
        #expect(times[1] - times[0] >= .milliseconds(80))
        #expect(times[2] - times[1] >= .milliseconds(160))
        let attempts = try f.store.attempts(run: summary.runID)
        #expect(attempts.map(\.failureClass) == ["transient", "transient", nil])
        #expect(attempts.allSatisfy { $0.level == 1 && $0.step == "fetch" })
    }

    @Test func exhaustedRetriesRaiseOneAlertAndFailTheRun() async throws {
        let server = try await TestHTTPServer { _, _ in .init(status: 503) }
        defer { Task { await server.stop() } }
        let f = try home(fetch: "\(server.baseURL)/in.csv")
        defer { f.home.remove() }
        let summary = try await f.run("p", date: "2026-11-19")
        #expect(summary.status == .failed)
        #expect(await server.requests().count == 3)
        #expect(summary.alerts.count == 1)
        #expect(summary.alerts.first?.failureClass == "transient")
        let lines = try f.home.read("alerts/alerts.jsonl").split(separator: "\n")
        #expect(lines.count == 1)
        let alert = try JSONDecoder().decode(Alert.self, from: Data(lines[0].utf8))
        #expect(alert.attempts.count == 3)
        #expect(alert.inspect == "heal runs show \(summary.runID)")
        #expect(alert.suggestion.contains("heal run p --date 2026-11-19"))
        let run = try #require(try f.store.run(id: summary.runID))
        #expect(run.status == "failed")
        #expect(run.error?.contains("fetch: transient") == true)
        #expect(try f.store.alerts(run: summary.runID).first?.delivery == "file: delivered")
    }

    @Test func nonRetryableClassGoesStraightToRemediation() async throws {
        let f = try home(fetch: "landing/missing.csv", skills: ["mirror/in.csv": "id\n1\n2\n"])
        defer { f.home.remove() }
        let summary = try await f.run("p", date: "2026-11-19")
        #expect(summary.status == .healed)
        let attempts = summary.steps[0].attempts
        #expect(attempts.map(\.level) == [1, 2, 2])
        #expect(attempts.map(\.skill) == ["get", "mirror", "get"])
        #expect(attempts[0].failureClass == "source_missing")
        #expect(try f.store.attempts(run: summary.runID).map(\.kind) == ["fetch", "fallback_source", "recheck"])
    }

    @Test func remediationThenRecheckOnTheRemediatedArtifact() async throws {
        let f = try home(fetch: "landing/in.csv", extraSteps: """
              - name: quality
                skill: q
                on_failure:
                  quality_violation: [quarantine]
            """, skills: [
                "skills/q.yml": "kind: validate_quality\nrules:\n  - not_null: [id]\n  - unique: [id]\n",
                "skills/quarantine.yml": "kind: quarantine_filter\nmax_pct: 50\n",
                "landing/in.csv": "id,v\n1,a\n,b\n2,c\n1,d\n3,e\n",
            ])
        defer { f.home.remove() }
        let summary = try await f.run("p", date: "2026-11-19")
        #expect(summary.status == .partial)
        #expect(summary.rows.read == 5)
        #expect(summary.rows.quarantined == 2)
        let attempts = summary.steps[1].attempts
        #expect(attempts.map(\.skill) == ["q", "quarantine", "q"])
        #expect(attempts.map(\.outcome) == ["fail", "pass", "pass"])
        #expect(attempts[2].details == "3 rows pass 2 rules (judged in the first pass; the 2 failing rows are left out)")
        let quarantine = try f.home.read("quarantine/p/2026-11-19/\(summary.runID).csv")
        #expect(quarantine == """
            _source_line,_reason,_rule,_column,_value,id,v
            3,id is empty,not_null,id,,,b
            5,id '1' was already seen earlier in the file,unique,id,1,1,d

            """)
        let batch = try #require(try f.store.quarantineBatches(run: summary.runID).first)
        #expect(batch.rows == 2)
        #expect(batch.reasons == #"{"not_null:id":1,"unique:id":1}"#)
    }

    @Test func rejectedRemediationEndsInAnAlert() async throws {
        let f = try home(fetch: "landing/in.csv", extraSteps: """
              - name: quality
                skill: q
                on_failure:
                  quality_violation: [quarantine]
            """, skills: [
                "skills/q.yml": "kind: validate_quality\nrules:\n  - not_null: [id]\n",
                "skills/quarantine.yml": "kind: quarantine_filter\nmax_pct: 10\n",
                "landing/in.csv": "id,v\n1,a\n,b\n,c\n",
            ])
        defer { f.home.remove() }
        let summary = try await f.run("p", date: "2026-11-19")
        #expect(summary.status == .failed)
        #expect(summary.steps[1].attempts.map(\.outcome) == ["fail", "fail"])
        #expect(summary.steps[1].attempts[1].details.contains("2 of 3 rows (66.7%) fail, more than max_pct 10%"))
        #expect(summary.alerts.count == 1)
        #expect(!f.home.exists("quarantine/p/2026-11-19/\(summary.runID).csv"))
        #expect(try f.store.quarantineBatches(run: summary.runID).isEmpty)
    }

    @Test func nonCriticalStepFailsWithoutStoppingTheRun() async throws {
        let f = try home(fetch: "landing/in.csv", extraSteps: """
              - name: notify
                skill: flaky-check
                critical: false
            """, skills: [
                "skills/flaky-check.yml": "kind: command\nrun: [sh, -c, 'exit 1']\n",
                "landing/in.csv": "id\n1\n",
            ])
        defer { f.home.remove() }
        let summary = try await f.run("p", date: "2026-11-19")
        #expect(summary.status == .succeeded)
        #expect(summary.steps[1].status == "failed")
        #expect(summary.alerts.count == 1)
    }

    @Test func webhookGetsTheAlertAndAFailingWebhookNeverFailsTheRun() async throws {
        let hook = try await TestHTTPServer { _, index in .init(status: index == 0 ? 500 : 200) }
        defer { Task { await hook.stop() } }
        let home = try TestHome()
        defer { home.remove() }
        try home.write("playbooks/p.yml", """
            alerts:
              webhook: "{env.HOOK}"
            steps:
              - skill: get
            """)
        try home.write("skills/get.yml", "kind: fetch\nsource: landing/none.csv\n")
        let f = try PipelineFixture(home: home)
        var executor = f.executor()
        var options = RunOptions(date: CalendarDate.parse("2026-11-19", format: .iso))
        options.environment["HOOK"] = "\(hook.baseURL)/hooks/T000/secret"
        let summary = try await executor.run(pipeline: "p", options: options)
        #expect(summary.status == .failed)
        let posts = await hook.requests()
        #expect(posts.count == 2)
        let body = try #require(try JSONSerialization.jsonObject(with: posts[1].body) as? [String: Any])
        #expect((body["text"] as? String)?.contains("failed at step 'get' (source_missing)") == true)
        #expect(try f.store.alerts(run: summary.runID).first?.delivery == "file: delivered; webhook 127.0.0.1: delivered")

        // The same failure again inside the dedup window (60 minutes by default): counted, not sent.
        let again = try await f.executor().run(pipeline: "p", options: options)
        #expect(again.status == .failed)
        #expect(await hook.requests().count == 2)
        #expect(try f.store.alerts(run: again.runID).first?.delivery.hasPrefix("suppressed: same as alert \(summary.runID)-1") == true)
        #expect(try f.store.alerts(run: summary.runID).first?.occurrences == 2)

        // A webhook that never answers well is recorded, and the run's status is untouched.
        try home.write("playbooks/p.yml", """
            alerts:
              webhook: "{env.HOOK}"
              dedup_minutes: 0
            steps:
              - skill: get
            """)
        let dead = try await TestHTTPServer { _, _ in .init(status: 500) }
        defer { Task { await dead.stop() } }
        options.environment["HOOK"] = "\(dead.baseURL)/hook"
        executor = try PipelineFixture(home: home).executor()
        let second = try await executor.run(pipeline: "p", options: options)
        #expect(second.status == .failed)
        #expect(await dead.requests().count == 3)
        #expect(try f.store.alerts(run: second.runID).first?.delivery.contains("webhook 127.0.0.1: failed after 3 attempts: HTTP 500") == true)
    }

    @Test func circuitBreakerStopsHammeringADeadEndpoint() async throws {
        let server = try await TestHTTPServer { _, _ in .init(status: 503) }
        defer { Task { await server.stop() } }
        let f = try home(fetch: "\(server.baseURL)/in.csv\ncircuit_breaker: { failures: 2, cooldown_seconds: 600 }")
        defer { f.home.remove() }
        let first = try await f.run("p", date: "2026-11-19")
        #expect(first.status == .failed)
        // Two real calls open the circuit; the third attempt is refused without a call, and not retried further.
        #expect(await server.requests().count == 2)
        #expect(first.steps[0].attempts.map(\.outcome) == ["fail", "fail", "fail"])
        #expect(first.steps[0].attempts[2].details.hasPrefix("circuit open for http://127.0.0.1:\(server.port) until"))
        let second = try await f.run("p", date: "2026-11-19")
        #expect(second.status == .failed)
        #expect(second.steps[0].attempts.count == 1)
        #expect(await server.requests().count == 2)
    }

    @Test func accountingThatDoesNotBalanceFailsTheRun() async throws {
        // A fallback mapped to a parse error swaps in a shorter file after the first was counted: rows would vanish unnoticed.
        let f = try home(fetch: "landing/in.csv", extraSteps: """
              - name: schema
                skill: contract
                on_failure:
                  parse_error: [other]
              - name: load
                skill: ld
            """, skills: [
                "skills/contract.yml": "kind: validate_schema\ncolumns:\n  - { name: id, type: integer }\n",
                "skills/other.yml": "kind: fallback_source\nsource: landing/short.csv\n",
                "skills/ld.yml": "kind: load\ntable: t\n",
                "landing/in.csv": "id\n1\n2\nx\n",
                "landing/short.csv": "id\n1\n",
            ])
        defer { f.home.remove() }
        let summary = try await f.run("p", date: "2026-11-19")
        #expect(summary.status == .failed)
        // Caught inside the load's transaction: nothing is committed, not even the one row.
        #expect(summary.error == "load: internal: row accounting does not balance: the load would write 1 row but the run read and kept 3 (read − quarantined − deduplicated); rolled back, nothing was loaded")
        #expect(summary.alerts.first?.failureClass == "internal")
        #expect(try f.store.run(id: summary.runID)?.status == "failed")
        let warehouse = TestWarehouse.sqlite(f.home, file: "warehouse.db")
        let rows = try await warehouse.hasTable("t") ? try await warehouse.count("SELECT count(*) FROM t") : 0
        #expect(rows == 0)
    }

    @Test func variablesAndFileURLsReachTheSource() async throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("landing/eu/in_20261119.csv", "id\n1\n")
        try home.write("playbooks/p.yml", "steps:\n  - skill: get\n")
        try home.write("skills/get.yml", "kind: fetch\nsource: file://\(home.root.path)/landing/{var.region}/in_{date:yyyyMMdd}.csv\n")
        let f = try PipelineFixture(home: home)
        var options = RunOptions(date: CalendarDate.parse("2026-11-19", format: .iso), variables: ["region": "eu"])
        let ok = try await f.executor().run(pipeline: "p", options: options)
        #expect(ok.status == .succeeded)
        options.variables = [:]
        let missing = try await f.executor().run(pipeline: "p", options: options)
        #expect(missing.status == .failed)
        #expect(missing.steps[0].attempts[0].details.contains("has no value; pass --var region=VALUE"))
    }
}
