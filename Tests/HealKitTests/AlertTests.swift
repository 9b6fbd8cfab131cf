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
