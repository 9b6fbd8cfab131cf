import Foundation
import GRDB
import HealKit
import HealTesting
import Testing

/// Alert routes by severity, the command sink, and the escalation of a failure that keeps coming back.
@Suite("Alerts: routes, recurring signatures, sinks that fail", .serialized, .timeLimit(.minutes(3)))
struct AlertTests {
    /// The example, with warnings piped to a command and critical alerts posted as JSON to a webhook.
    func example(routes: String) throws -> TestHome {
        let home = try TestHome.example()
        let playbook = try home.read("playbooks/sales-daily.yml")
            .replacingOccurrences(of: "alerts:                    # level 3: always printed and appended to the file\n  file: alerts/alerts.jsonl\n",
                                  with: "alerts:\n  file: alerts/alerts.jsonl\n  routes:\n\(routes)")
        try home.write("playbooks/sales-daily.yml", playbook)
        return home
    }

    /// The bad day's file three days running: each run heals (quarantine), and the third raises one warning per
    /// recurring signature, through the warning route only; a day with no file at all goes to the critical route.
    @Test func aFailureHealedThreeDaysRunningIsEscalated() async throws {
        let hook = try await TestHTTPServer { _, _ in .init(status: 200) }
        defer { Task { await hook.stop() } }
        let home = try example(routes: """
                - { severity: warning, command: [sh, -c, "cat >> warnings.jsonl && echo >> warnings.jsonl"] }
                - { severity: [critical], webhook: "{env.HOOK}", format: json }

            """)
        defer { home.remove() }
        let bad = try home.read("examples/landing/sales_20261119.csv")
        // The same broken rows each day, under that day's own sale ids.
        for day in ["20261116", "20261117", "20261118"] {
            try home.write("examples/landing/sales_\(day).csv", bad.replacingOccurrences(of: "S20261119-", with: "S\(day)-"))
        }
        let environment = ["HOOK": "\(hook.baseURL)/alerts"]
        for day in ["2026-11-16", "2026-11-17"] {
            let run = try await HealProcess.run(["run", "sales-daily", "--date", day], home: home, environment: environment)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(!run.stderr.contains("ALERT"), "\(run.stdout)\(run.stderr)")
        }
        #expect(!home.exists("warnings.jsonl"))
        let third = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home, environment: environment)
        #expect(third.status == 0)
        #expect(third.stderr.contains("heal [warning]: sales-daily 2026-11-18 step 'schema' (parse_error): the same failure on 3 consecutive days"))
        let warnings = try home.read("warnings.jsonl").split(separator: "\n").map { try JSONDecoder().decode(Alert.self, from: Data($0.utf8)) }
        #expect(warnings.map(\.step).sorted() == ["quality", "schema"])
        #expect(warnings.allSatisfy { $0.severity == "warning" && $0.summary.contains("2026-11-16 to 2026-11-18") })
        #expect(warnings.first { $0.step == "quality" }?.signature == "sales-daily|quality|quality_violation|N of N rows fail (range amount: N, not_null sale_id: N)")
        #expect(await hook.requests().isEmpty)

        // No file anywhere: a critical alert, to the webhook as the alert object, not to the warning command.
        let missing = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-24"], home: home, environment: environment)
        #expect(missing.status == 1)
        let posts = await hook.requests()
        #expect(posts.count == 1)
        let posted = try JSONDecoder().decode(Alert.self, from: posts[0].body)
        #expect(posted.severity == "critical" && posted.step == "fetch" && posted.failureClass == "source_missing")
        #expect(try home.read("warnings.jsonl").split(separator: "\n").count == 2)
        let metadata = try DatabaseQueue(path: home.url("metadata.db").path)
        #expect(try count(metadata, "SELECT count(*) FROM alerts WHERE severity = 'warning' AND delivery LIKE 'file: delivered; command sh: delivered%'") == 2)
    }

    /// A command that keeps failing is retried, its failure recorded, and the run's outcome untouched.
    @Test func aFailingCommandSinkIsRetriedAndRecorded() async throws {
        let home = try example(routes: """
                - { severity: critical, command: [sh, -c, "echo try >> tries.txt; echo no pager >&2; exit 3"], attempts: 2 }

            """)
        defer { home.remove() }
        let run = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-24"], home: home)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(try home.read("tries.txt") == "try\ntry\n")
        let metadata = try DatabaseQueue(path: home.url("metadata.db").path)
        let delivery = try await metadata.read { db in try String.fetchOne(db, sql: "SELECT delivery FROM alerts") }
        #expect(delivery?.contains("command sh: failed after 2 attempts: exit 3: no pager") == true, "\(delivery ?? "")")
        #expect(try count(metadata, "SELECT count(*) FROM runs WHERE status = 'failed'") == 1)
    }

    /// Dedup groups one night's repeats only: the same failure re-run the same night is logged as a duplicate and not
    /// sent again; the next night's is a new alert; the first good run after them sends one `resolved` to the route
    /// that was paged, naming the night still not loaded, and a later good run sends nothing more.
    @Test func dedupIsPerNightAndARecoveryIsAnnounced() async throws {
        let hook = try await TestHTTPServer { _, _ in .init(status: 200) }
        defer { Task { await hook.stop() } }
        let home = try example(routes: """
                - { severity: critical, webhook: "{env.HOOK}", format: json }

            """)
        defer { home.remove() }
        let environment = ["HOOK": "\(hook.baseURL)/alerts"]
        func run(_ date: String) async throws -> HealProcess.Result {
            try await HealProcess.run(["run", "sales-daily", "--date", date], home: home, environment: environment)
        }
        func logged() throws -> [Alert] {
            try home.read("alerts/alerts.jsonl").split(separator: "\n").map { try JSONDecoder().decode(Alert.self, from: Data($0.utf8)) }
        }
        #expect(try await run("2026-11-24").status == 1)
        let again = try await run("2026-11-24")
        #expect(again.status == 1 && again.stderr.contains("suppressed: same failure of 2026-11-24 as alert"), "\(again.stderr)")
        #expect(await hook.requests().count == 1)
        var file = try logged()
        #expect(file.count == 2 && file[0].duplicateOf == nil && file[1].duplicateOf == file[0].id, "\(file.map(\.id))")

        // Another night, the same masked failure: a new alert, sent.
        #expect(try await run("2026-11-25").status == 1)
        var posts = await hook.requests()
        #expect(posts.count == 2)
        let second = try JSONDecoder().decode(Alert.self, from: posts[1].body)
        #expect(second.date == "2026-11-25" && second.duplicateOf == nil)

        // The 25th's file arrives (with the 17th's renamed column): the run heals and ends both alerts; the 24th is still not loaded.
        let clean = try home.read("examples/landing/sales_20261117.csv")
        try home.write("examples/landing/sales_20261125.csv", clean.replacingOccurrences(of: "S20261117-", with: "S20261125-"))
        let good = try await run("2026-11-25")
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stderr.contains("RESOLVED heal [resolved]: sales-daily 2026-11-25: run healed; this ends 2 alerts for 2026-11-24 at step 'fetch' (source_missing), 2026-11-25 at step 'fetch' (source_missing); still not loaded: 2026-11-24"), "\(good.stderr)")
        posts = await hook.requests()
        #expect(posts.count == 3)
        let resolved = try JSONDecoder().decode(Alert.self, from: posts[2].body)
        file = try logged()
        #expect(resolved.severity == "resolved" && resolved.resolves == [file[0].id, second.id], "\(resolved.resolves ?? [])")
        #expect(resolved.suggestion == "heal run sales-daily --date 2026-11-24")
        #expect(file.last?.severity == "resolved")

        // Once resolved, a good night is quiet: no second notification.
        let quiet = try await run("2026-11-17")
        #expect(quiet.status == 0 && !quiet.stderr.contains("RESOLVED"), "\(quiet.stderr)")
        #expect(await hook.requests().count == 3)
        // The metrics count failures, not their resolution.
        let metrics = try home.read("metrics/heal.prom")
        #expect(metrics.contains("heal_alerts_total{pipeline=\"sales-daily\"} 3"), "\(metrics)")
    }

    @Test func aRouteWithTwoSinksOrAnUnknownSeverityIsAConfigError() async throws {
        for (route, message) in [("    - { severity: critical, file: a.jsonl, command: [true] }\n", "exactly one of webhook, command, file"),
                                 ("    - { severity: urgent, file: a.jsonl }\n", "unknown severity 'urgent'")] {
            let home = try example(routes: route)
            defer { home.remove() }
            let check = try await HealProcess.run(["check"], home: home)
            #expect(check.status == 2 && check.stderr.contains("playbooks/sales-daily.yml:") && check.stderr.contains(message), "\(check.stderr)")
        }
    }
}
