import Foundation
import GRDB
import HealKit
import HealTesting
import Testing

/// Recovery that reports the truth (issue 13, items 10–14): signals, closed pipes, the daemon after a killed run,
/// a failed run's leftovers, two first runs at once, and a metadata.db that cannot be used — all through the binary.
@Suite("Recovery that reports the truth", .serialized, .timeLimit(.minutes(6)))
struct RecoveryTests {
    /// `heal` started in the background with stdout and stderr into one file, as a scheduler's log would have them.
    final class Background {
        let process = Process()
        let log: URL

        init(_ arguments: [String], home: TestHome, environment: [String: String] = [:], stdout: FileHandle? = nil) throws {
            log = home.url("heal.log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            let handle = try FileHandle(forWritingTo: log)
            process.executableURL = HealProcess.binary
            process.arguments = arguments
            process.currentDirectoryURL = home.root
            var env = ProcessInfo.processInfo.environment
            env["HEAL_HOME"] = nil
            for (k, v) in environment { env[k] = v }
            process.environment = env
            process.standardOutput = stdout ?? handle
            process.standardError = handle
            try process.run()
        }

        /// Waits (without blocking a thread) for the process to end; its exit code.
        func wait(seconds: Double = 60) async throws -> Int32 {
            let end = Date().addingTimeInterval(seconds)
            while process.isRunning {
                guard Date() < end else { process.terminate(); throw TimedOut() }
                try await Task.sleep(for: .milliseconds(50))
            }
            return process.terminationStatus
        }

        /// Waits until the log holds `text`.
        func waitFor(_ text: String, seconds: Double = 30) async throws {
            let end = Date().addingTimeInterval(seconds)
            while !((try? String(contentsOf: log, encoding: .utf8)) ?? "").contains(text) {
                guard Date() < end, process.isRunning else { throw TimedOut() }
                try await Task.sleep(for: .milliseconds(50))
            }
        }

        var output: String { (try? String(contentsOf: log, encoding: .utf8)) ?? "" }
        struct TimedOut: Error {}
    }

    func metadata(_ home: TestHome) -> TestWarehouse { TestWarehouse.sqlite(home, file: "metadata.db") }

    /// Item 10: SIGTERM, SIGINT or SIGHUP killed `heal run` at once (no output, the run left `running`, no alert).
    /// Now the run stops at its next safe point as `interrupted`, says so in order, alerts, exits 1, and the next
    /// run resumes it.
    @Test(arguments: [SIGTERM, SIGINT, SIGHUP])
    func aSignalStopsTheRunAsInterrupted(_ signo: Int32) async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        // The landing file is still arriving: the fetch fails as transient and waits 20 s before each retry.
        let fetch = try home.read("skills/fetch-sales.yml")
        try home.write("skills/fetch-sales.yml", fetch.replacingOccurrences(of: "min_bytes: 64", with: "min_bytes: 100000000"))
        let playbook = try home.read("playbooks/sales-daily.yml")
        try home.write("playbooks/sales-daily.yml", playbook.replacingOccurrences(of: "backoff_ms: 1000", with: "backoff_ms: 20000"))
        let run = try Background(["run", "sales-daily", "--date", "2026-11-18"], home: home)
        try await run.waitFor("FAIL  fetch")
        let sent = Date()
        kill(run.process.processIdentifier, signo)
        let status = try await run.wait()
        #expect(status == 1, "\(run.output)")
        #expect(Date().timeIntervalSince(sent) < 5)
        let name = [SIGTERM: "SIGTERM", SIGINT: "SIGINT", SIGHUP: "SIGHUP"][signo]!
        let lines = run.output.split(separator: "\n").map(String.init)
        let attempt = try #require(lines.firstIndex { $0.contains("FAIL  fetch") })
        let heard = try #require(lines.firstIndex { $0.contains("heal run: \(name): stopping after the current step") })
        let summary = try #require(lines.firstIndex { $0.hasPrefix("interrupted: read 0") })
        #expect(attempt < heard && heard < summary, "\(run.output)")
        #expect(run.output.contains("interrupted by \(name) during step fetch (it had committed nothing)"), "\(run.output)")
        #expect(try await metadata(home).count("SELECT count(*) FROM runs WHERE status = 'interrupted'") == 1)
        #expect(try await metadata(home).count("SELECT count(*) FROM runs WHERE status = 'running'") == 0)
        let alerts = try home.read("alerts/alerts.jsonl")
        #expect(alerts.contains("\"severity\":\"warning\"") && alerts.contains("interrupted by \(name)"))

        // The file has arrived: the next run picks the day up and finishes it.
        try home.write("skills/fetch-sales.yml", fetch)
        let again = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home)
        #expect(again.status == 0 && again.stdout.contains("succeeded: read 500 · loaded 500"), "\(again.stdout)")
    }

    /// Item 10: a signal during a long read-only step (a check over a big file) stops it at its next batch; it
    /// committed nothing, so the run is interrupted at once and the next run does the step again.
    @Test func aSignalStopsALongCheckAtItsNextBatch() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        // 100,000 rows: the clean day's 500, again and again under new sale ids.
        let day = try home.read("examples/landing/sales_20261118.csv").split(separator: "\n").map(String.init)
        var text = day[0] + "\n"
        for n in 0..<100_000 {
            let fields = day[1 + n % 500].split(separator: ",", omittingEmptySubsequences: false)
            text += "S20261118-\(n + 1)," + fields.dropFirst().joined(separator: ",") + "\n"
        }
        try home.write("examples/landing/sales_20261118.csv", text)
        let run = try Background(["run", "sales-daily", "--date", "2026-11-18"], home: home)
        try await run.waitFor("ok    fetch")
        try await Task.sleep(for: .milliseconds(300))
        let sent = Date()
        kill(run.process.processIdentifier, SIGTERM)
        let status = try await run.wait()
        #expect(status == 1, "\(run.output)")
        #expect(Date().timeIntervalSince(sent) < 3, "\(run.output)")
        #expect(run.output.contains("interrupted by SIGTERM during step"), "\(run.output)")
        #expect(try await metadata(home).count("SELECT count(*) FROM runs WHERE status = 'interrupted'") == 1)
        let again = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18", "--json"], home: home)
        #expect(again.status == 0, "\(again.stdout)")
        #expect(try JSONDecoder().decode(RunSummary.self, from: Data(again.stdout.utf8)).rows.read == 100000)
    }

    /// Item 10: a closed pipe (`heal run … | head -1`) killed the run with SIGPIPE; now the run finishes and records it.
    @Test func aClosedPipeDoesNotKillTheRun() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let pipe = Pipe()
        try pipe.fileHandleForReading.close()
        let run = try Background(["run", "sales-daily", "--date", "2026-11-19"], home: home, stdout: pipe.fileHandleForWriting)
        try pipe.fileHandleForWriting.close()
        let status = try await run.wait()
        #expect(status == 0, "\(run.output)")
        #expect(try await metadata(home).count("SELECT count(*) FROM runs WHERE status = 'partial' AND rows_loaded = 489") == 1)
        #expect(try await TestWarehouse.sqlite(home, file: "warehouse.db").count("SELECT count(*) FROM sales") == 489)
    }

    /// The night the daemon's catch-up looks at: the last 02:00 UTC fire before now runs the day before it.
    static func lastNight() -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let now = Date()
        let fireDay = calendar.component(.hour, from: now) >= 2 ? now : now.addingTimeInterval(-86_400)
        let night = calendar.date(byAdding: .day, value: -1, to: fireDay)!
        let iso = DateFormatter()
        iso.locale = Locale(identifier: "en_US_POSIX")
        iso.timeZone = calendar.timeZone
        iso.dateFormat = "yyyy-MM-dd"
        return iso.string(from: night)
    }

    /// Item 11: the daemon skipped a night whose run was killed (it counted any run as done); now it resumes it.
    @Test func theDaemonResumesANightWhoseRunWasKilled() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let date = Self.lastNight()
        try home.write("examples/landing/sales_\(date.replacingOccurrences(of: "-", with: "")).csv", try home.read("examples/landing/sales_20261118.csv"))
        let killed = try await HealProcess.run(["run", "sales-daily", "--date", date], home: home, environment: ["HEAL_CRASH_AT": "after-step:quality"])
        #expect(killed.status != 0)
        let daemon = try await HealProcess.run(["daemon", "--once", "--metrics-port", "0"], home: home)
        #expect(daemon.status == 0, "\(daemon.stdout)\(daemon.stderr)")
        #expect(daemon.stdout.contains("sales-daily \(date) (catch-up)"), "\(daemon.stdout)")
        // Resumed after the killed run's last checkpoint: fetch, schema and quality are not run again.
        #expect(daemon.stdout.contains("ok    transform") && !daemon.stdout.contains("ok    fetch"), "\(daemon.stdout)")
        let md = metadata(home)
        #expect(try await md.count("SELECT count(*) FROM runs WHERE logical_date = '\(date)' AND status = 'succeeded' AND rows_loaded = 500") == 1)
        #expect(try await md.count("SELECT count(*) FROM runs WHERE logical_date = '\(date)' AND status = 'interrupted'") == 1)
        // Done now: another pass leaves it alone.
        let second = try await HealProcess.run(["daemon", "--once", "--metrics-port", "0"], home: home)
        #expect(!second.stdout.contains("(catch-up)"), "\(second.stdout)")
    }

    /// A system timer runs `heal daemon --once` and reads its exit status: a night that failed exits 1 naming the
    /// run; a pass with nothing due says so and when the next fire is.
    @Test func daemonOnceExitsNonZeroWhenANightFailed() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let date = Self.lastNight()
        // No file for the night, anywhere: the catch-up run fails.
        let failed = try await HealProcess.run(["daemon", "--once", "--metrics-port", "0"], home: home)
        #expect(failed.status == 1, "\(failed.stdout)\(failed.stderr)")
        #expect(failed.stderr.contains("heal daemon: 1 of 1 run did not finish: sales-daily \(date) failed (heal runs show "), "\(failed.stderr)")
        // The failure was reported (and alerted) once: the next pass has nothing due and says when the next fire is.
        let idle = try await HealProcess.run(["daemon", "--once", "--metrics-port", "0"], home: home)
        #expect(idle.status == 0 && idle.stdout.contains("nothing due; next fire at sales-daily "), "\(idle.stdout)\(idle.stderr)")
    }

    /// Item 12: a failed run's quarantine batches stayed open beside its re-run's (8 rows shown as 16), and its
    /// staging was never removed. Now the re-run supersedes them and staging follows `retention`.
    @Test func aReRunSupersedesTheFailedRunsBatchesAndStagingIsCleaned() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let load = try home.read("skills/sales-load.yml")
        // The warehouse's folder is a file: every load attempt fails, and the run fails after quarantining 8 rows.
        try home.write("blocked", "not a folder")
        try home.write("skills/sales-load.yml", load.replacingOccurrences(of: "sqlite:warehouse.db", with: "sqlite:blocked/warehouse.db"))
        try home.write("playbooks/sales-daily.yml", try home.read("playbooks/sales-daily.yml").replacingOccurrences(of: "attempts: 3", with: "attempts: 1"))
        let failed = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19", "--json"], home: home)
        #expect(failed.status == 1, "\(failed.stdout)")
        let failedRun = try JSONDecoder().decode(RunSummary.self, from: Data(failed.stdout.utf8)).runID
        #expect(home.exists("staging/sales-daily/\(failedRun)"))
        try home.write("skills/sales-load.yml", load)
        let rerun = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19", "--json"], home: home)
        #expect(rerun.status == 0, "\(rerun.stdout)")
        let rerunID = try JSONDecoder().decode(RunSummary.self, from: Data(rerun.stdout.utf8)).runID
        let list = try await HealProcess.run(["quarantine", "list"], home: home)
        #expect(list.stdout.contains(rerunID) && !list.stdout.contains(failedRun), "\(list.stdout)")
        let md = metadata(home)
        #expect(try await md.count("SELECT sum(rows) FROM quarantine_batches WHERE status = 'open'") == 8)
        #expect(try await md.count("SELECT count(*) FROM quarantine_batches WHERE status = 'superseded' AND run_id = '\(failedRun)'") == 2)
        let superseded = try await md.rows("SELECT id FROM quarantine_batches WHERE status = 'superseded'")[0][0]
        let release = try await HealProcess.run(["quarantine", "release", superseded], home: home)
        #expect(release.status != 0 && release.stderr.contains("was superseded"), "\(release.stdout)\(release.stderr)")
        // A failed run is never resumed: its staging went when the re-run started.
        #expect(!home.exists("staging/sales-daily/\(failedRun)"))
        #expect(home.exists("staging/sales-daily/\(rerunID)"))

        // retention: { staging_days: 0 } keeps the newest run's files, and those of runs with open quarantine
        // batches (a release reads them); the rest go.
        try home.write("playbooks/sales-daily.yml", try home.read("playbooks/sales-daily.yml") + "retention: { staging_days: 0 }\n")
        let next = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18", "--json"], home: home)
        let nextID = try JSONDecoder().decode(RunSummary.self, from: Data(next.stdout.utf8)).runID
        #expect(home.exists("staging/sales-daily/\(nextID)"))
        let last = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18", "--force", "--json"], home: home)
        let lastID = try JSONDecoder().decode(RunSummary.self, from: Data(last.stdout.utf8)).runID
        #expect(home.exists("staging/sales-daily/\(lastID)"))
        #expect(!home.exists("staging/sales-daily/\(nextID)"))
        #expect(home.exists("staging/sales-daily/\(rerunID)"))
    }

    /// Item 13: two first runs on a fresh home raced on creating metadata.db (6 of 20 pairs lost with a SQLite error).
    @Test func twoFirstRunsOnAFreshHomeNeverRaceOnMetadata() async throws {
        for pair in 0..<8 {
            let home = try TestHome.example()
            defer { home.remove() }
            let a = try Background(["run", "sales-daily", "--date", "2026-11-18"], home: home)
            let b = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home)
            let statusA = try await a.wait()
            let outputs = [a.output, b.stdout + b.stderr]
            for (status, output) in zip([statusA, b.status], outputs) {
                // Either it ran (succeeded, or skipped as already loaded), or it found the other one running.
                #expect(status == 0 || (status == 2 && output.contains("is already running")), "pair \(pair): \(output)")
                #expect(!output.contains("SQLite") && !output.contains("database"), "pair \(pair): \(output)")
            }
            #expect(try await TestWarehouse.sqlite(home, file: "warehouse.db").count("SELECT count(*) FROM sales") == 500, "pair \(pair)")
        }
    }

    /// Item 14: a corrupt metadata.db (or one that is a folder) exited 2 with no alert anywhere; now the alert goes
    /// to the alerts file and every route.
    @Test func anUnusableMetadataDBStillAlerts() async throws {
        let server = try await TestHTTPServer { _, _ in .init(status: 200) }
        defer { Task { await server.stop() } }
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write("playbooks/sales-daily.yml", try home.read("playbooks/sales-daily.yml").replacingOccurrences(
            of: "  file: alerts/alerts.jsonl", with: "  file: alerts/alerts.jsonl\n  routes:\n    - { severity: [critical], webhook: \"\(server.baseURL)/hook\", format: json }"))
        try home.write("metadata.db", String(repeating: "this is not a database\n", count: 500))
        let corrupt = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home)
        #expect(corrupt.status == 2)
        #expect(corrupt.stderr.contains("cannot open metadata.db") && corrupt.stderr.contains("ALERT"), "\(corrupt.stderr)")
        #expect(try home.read("alerts/alerts.jsonl").contains("cannot open metadata.db"))
        #expect(await server.requests().count == 1)
        #expect(await server.requests().first?.path == "/hook")

        try FileManager.default.removeItem(at: home.url("metadata.db"))
        try FileManager.default.createDirectory(at: home.url("metadata.db"), withIntermediateDirectories: true)
        let folder = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home)
        #expect(folder.status == 2)
        #expect(try home.read("alerts/alerts.jsonl").split(separator: "\n").count == 2)
        #expect(await server.requests().count == 2)
    }
}
