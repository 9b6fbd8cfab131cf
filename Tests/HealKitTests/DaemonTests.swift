import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import HealKit
import HealTesting
import Testing

/// `heal daemon`: fires on a clock the test moves, catches up missed nights, stops cleanly on SIGTERM.
@Suite("Daemon: schedules, catch-up, SIGTERM", .serialized, .timeLimit(.minutes(3)))
struct DaemonTests {
    static func at(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    /// The shipped example, scheduled at 02:00 UTC with the given catch-up policy.
    func example(catchup: String) throws -> PipelineFixture {
        let home = try TestHome.example()
        let playbook = try home.read("playbooks/sales-daily.yml")
        try home.write("playbooks/sales-daily.yml", playbook + "\ncatchup: \(catchup)\n")
        return try PipelineFixture(home: home)
    }

    func runs(_ f: PipelineFixture) throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try f.store.runs(pipeline: "sales-daily").map { ($0.logicalDate, $0.status.rawValue) })
    }

    /// Started at 01:00 on the 20th with no history: the missed fire of the 19th (logical date the 18th) is caught
    /// up, then the clock fires 02:00 on the 20th and the 21st.
    @Test func firesOnScheduleAfterCatchingUpTheLatestMissedNight() async throws {
        let f = try example(catchup: "latest")
        defer { f.home.remove() }
        let clock = ManualClock(DaemonTests.at("2026-11-20T01:00:00Z"))
        let daemon = Daemon(home: f.home.healHome, config: f.config, store: f.store, clock: clock)
        let fired = FireLog()
        try await daemon.loop(once: false, shouldStop: { fired.count >= 3 }) { fire, summary in fired.add(fire, summary) }
        #expect(fired.fires.map(\.description) == [
            "sales-daily 2026-11-18 (catch-up) due 2026-11-19T02:00:00.000Z",
            "sales-daily 2026-11-19 due 2026-11-20T02:00:00.000Z",
            "sales-daily 2026-11-20 due 2026-11-21T02:00:00.000Z",
        ])
        #expect(fired.statuses == [.succeeded, .partial, .healed])
        #expect(try runs(f) == ["2026-11-18": "succeeded", "2026-11-19": "partial", "2026-11-20": "healed"])
        let warehouse = try DatabaseQueue(path: f.home.url("warehouse.db").path)
        #expect(try count(warehouse, "SELECT count(DISTINCT _heal_date) FROM sales") == 3)
    }

    /// Down for three nights: `all` runs each missed night whose date has no run yet, oldest first; `latest` only
    /// the last; `none` nothing.
    @Test func catchUpPolicies() async throws {
        for (policy, expected) in [("all", ["2026-11-18", "2026-11-20"]), ("latest", ["2026-11-20"]), ("none", [String]())] {
            let f = try example(catchup: policy)
            defer { f.home.remove() }
            _ = try await f.run("sales-daily", date: "2026-11-19")
            var daemon = Daemon(home: f.home.healHome, config: f.config, store: f.store, clock: ManualClock(DaemonTests.at("2026-11-21T09:30:00Z")))
            daemon.lookback = 3 * 86_400
            #expect(try daemon.missed(before: DaemonTests.at("2026-11-21T09:30:00Z")).map(\.date.description) == expected, "\(policy)")
            let fired = FireLog()
            try await daemon.loop(once: true, shouldStop: { false }) { fire, summary in fired.add(fire, summary) }
            #expect(fired.fires.map(\.date.description) == expected, "\(policy)")
            #expect(try runs(f).keys.sorted() == (["2026-11-19"] + expected).sorted(), "\(policy)")
        }
    }

    /// SIGTERM while a step runs: the step finishes, the run stops before its load as `interrupted`, the warehouse
    /// holds none of it, and the daemon exits 0.
    @Test func sigtermFinishesTheStepAndLeavesTheWarehouseConsistent() async throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("playbooks/p.yml", """
            schedule: "* * * * *"
            steps:
              - { name: fetch, skill: f }
              - { name: pause, skill: pause }
              - { name: load, skill: l }
            """)
        try home.write("skills/f.yml", "kind: fetch\nsource: landing/in.csv\n")
        try home.write("skills/pause.yml", "kind: command\nrun: [sleep, \"3\"]\n")
        try home.write("skills/l.yml", "kind: load\ntarget: sqlite:warehouse.db\ntable: t\n")
        try home.write("landing/in.csv", "id,v\n1,a\n2,b\n")
        let daemon = try RunningHeal(["daemon", "--metrics-port", "0"], home: home)
        // The catch-up run starts at once (the current minute's fire has no run yet); stop it inside the pause,
        // once the fetch has reported.
        try await daemon.wait(for: "ok    fetch")
        try await Task.sleep(for: .milliseconds(300))
        let status = try await daemon.stop()
        let text = daemon.output
        #expect(status == 0, "\(text)")
        #expect(text.contains("SIGTERM: stopping after the current step") && text.contains("interrupted") && text.contains("heal daemon: stopped"), "\(text)")
        let metadata = try DatabaseQueue(path: home.url("metadata.db").path)
        let run = try metadata.read { db in try Row.fetchOne(db, sql: "SELECT status, error FROM runs") }
        #expect(run?["status"] == "interrupted")
        #expect((run?["error"] as String?)?.contains("interrupted before step load") == true)
        #expect(try count(metadata, "SELECT count(*) FROM attempts WHERE step = 'pause' AND outcome = 'pass'") == 1)
        // Nothing of the run reached the warehouse: no table, or an empty one, and no ledger row.
        if FileManager.default.fileExists(atPath: home.url("warehouse.db").path) {
            let warehouse = try DatabaseQueue(path: home.url("warehouse.db").path)
            let tables = try await warehouse.read { db in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") }
            if tables.contains("t") { #expect(try count(warehouse, "SELECT count(*) FROM t") == 0) }
            if tables.contains("_heal_loads") { #expect(try count(warehouse, "SELECT count(*) FROM _heal_loads") == 0) }
        }
    }

    /// Every sample line of the exposition format: a metric name, optional labels, a number; TYPE before samples.
    static func checkExposition(_ page: String) {
        let sample = try! Regex(#"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? -?[0-9]+(\.[0-9]+)?(e[+-]?[0-9]+)?$"#)
        var typed: Set<String> = []
        for line in page.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") { typed.insert(String(line.split(separator: " ")[2])); continue }
            if line.hasPrefix("# HELP ") { continue }
            #expect(line.wholeMatch(of: sample) != nil, "\(line)")
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            #expect(typed.contains(name) || typed.contains(name.replacingOccurrences(of: "_sum", with: "").replacingOccurrences(of: "_count", with: "")), "\(name)")
        }
    }

    /// After a run, metrics/heal.prom holds its figures; the daemon serves the same page on loopback.
    @Test func metricsAfterEachRunAndFromTheDaemon() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let run = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19"], home: home)
        #expect(run.status == 0)
        let page = try home.read("metrics/heal.prom")
        DaemonTests.checkExposition(page)
        for line in ["heal_runs_total{pipeline=\"sales-daily\",status=\"partial\"} 1", "heal_rows_total{pipeline=\"sales-daily\",outcome=\"loaded\"} 489",
                     "heal_rows_total{pipeline=\"sales-daily\",outcome=\"quarantined\"} 8", "heal_quarantine_rows{pipeline=\"sales-daily\",state=\"open\"} 8",
                     "heal_quarantine_batches_total{pipeline=\"sales-daily\"} 2", "heal_last_run_ok{pipeline=\"sales-daily\"} 1",
                     "heal_attempts_total{pipeline=\"sales-daily\",step=\"quality\",level=\"2\",outcome=\"pass\"} 2"] {
            #expect(page.contains(line + "\n"), "\(line)")
        }

        try home.write("playbooks/sales-daily.yml", try home.read("playbooks/sales-daily.yml") + "\ncatchup: none\n")
        let port = UInt16.random(in: 30_000...39_999)
        let daemon = try RunningHeal(["daemon", "--metrics-port", String(port)], home: home)
        try await daemon.wait(for: "metrics: http://127.0.0.1:\(port)/metrics")
        let (body, response) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/metrics")!)
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "Content-Type")?.hasPrefix("text/plain; version=0.0.4") == true)
        let served = String(decoding: body, as: UTF8.self)
        DaemonTests.checkExposition(served)
        #expect(served.contains("heal_rows_total{pipeline=\"sales-daily\",outcome=\"loaded\"} 489\n"))
        let (_, missing) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/other")!)
        #expect((missing as? HTTPURLResponse)?.statusCode == 404)
        #expect(try await daemon.stop() == 0, "\(daemon.output)")
    }

    @Test func scheduleListsTheNextFireTimesAndCheckNamesABadExpression() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let listed = try await HealProcess.run(["schedule", "--count", "2"], home: home)
        #expect(listed.status == 0 && listed.stdout.contains("sales-daily: 0 2 * * * in UTC, catchup latest") && listed.stdout.components(separatedBy: "runs ").count == 3, "\(listed.stdout)")
        #expect(listed.stdout.contains("  no run yet"), "\(listed.stdout)")
        // After a run: the last run, and the night the daemon would catch up.
        _ = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home)
        let after = try await HealProcess.run(["schedule", "--count", "1"], home: home)
        #expect(after.stdout.contains("  last run ") && after.stdout.contains(": 2026-11-18 succeeded, started "), "\(after.stdout)")
        #expect(after.stdout.contains("  pending catch-up: sales-daily ") && after.stdout.contains("(catch-up) due "), "\(after.stdout)")
        let playbook = try home.read("playbooks/sales-daily.yml").replacingOccurrences(of: "schedule: \"0 2 * * *\"", with: "schedule: \"0 25 * * *\"")
        try home.write("playbooks/sales-daily.yml", playbook)
        let check = try await HealProcess.run(["check"], home: home)
        #expect(check.status == 2)
        #expect(check.stderr.contains("playbooks/sales-daily.yml:4:11") && check.stderr.contains("hour 25 is out of range"), "\(check.stderr)")
    }
}

/// What the daemon ran, in order.
final class FireLog: @unchecked Sendable {
    private let lock = NSLock()
    private var entries: [(Daemon.Fire, RunSummary)] = []
    var count: Int { lock.withLock { entries.count } }
    var fires: [Daemon.Fire] { lock.withLock { entries.map(\.0) } }
    var statuses: [RunStatus] { lock.withLock { entries.map(\.1.status) } }
    func add(_ fire: Daemon.Fire, _ summary: RunSummary) { lock.withLock { entries.append((fire, summary)) } }
}
