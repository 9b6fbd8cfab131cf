import Foundation
import GRDB
import HealKit
import HealTesting
import Testing

/// The built `heal` binary on the shipped example, checked through the warehouse, quarantine files and metadata.db.
@Suite("End to end: the heal binary on the shipped example", .serialized, .timeLimit(.minutes(3)))
struct EndToEndTests {
    func warehouse(_ home: TestHome) throws -> DatabaseQueue {
        try DatabaseQueue(path: home.url("warehouse.db").path)
    }

    func metadata(_ home: TestHome) throws -> DatabaseQueue {
        try DatabaseQueue(path: home.url("metadata.db").path)
    }

    func summary(_ result: HealProcess.Result) throws -> RunSummary {
        try JSONDecoder().decode(RunSummary.self, from: Data(result.stdout.utf8))
    }

    @Test(arguments: TestWarehouse.Kind.allCases)
    func cleanDayLoadsEveryRow(_ kind: TestWarehouse.Kind) async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let wh = try await TestWarehouse.make(kind, for: home)
        let result = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home, environment: wh.environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("succeeded: read 500 · loaded 500 · quarantined 0 · deduplicated 0"))
        #expect(try await wh.count("SELECT count(*) FROM sales WHERE _heal_date = '2026-11-18'") == 500)
        #expect(try await wh.count("SELECT count(*) FROM sales WHERE CAST(date AS TEXT) NOT LIKE '____-__-__'") == 0)
        #expect(try await wh.count("SELECT count(*) FROM _heal_loads WHERE logical_date = '2026-11-18' AND rows = 500") == 1)
        let md = try metadata(home)
        #expect(try count(md, "SELECT count(*) FROM runs WHERE status = 'succeeded' AND rows_read = 500 AND rows_loaded = 500") == 1)
        #expect(try count(md, "SELECT count(*) FROM attempts WHERE outcome = 'pass' AND level = 1") == 6)
        #expect(home.files(under: "quarantine").isEmpty)
    }

    @Test(arguments: TestWarehouse.Kind.allCases)
    func badDayQuarantinesItsBadRowsAndAgreesWithThePeerReference(_ kind: TestWarehouse.Kind) async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let wh = try await TestWarehouse.make(kind, for: home)
        let result = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19", "--json"], home: home, environment: wh.environment)
        #expect(result.status == 0, "\(result.stderr)")
        let run = try summary(result)
        #expect(run.status == .partial)
        #expect(run.partialBecause == "8 of 500 rows quarantined (1.6 %), above thresholds.quarantine_warn_pct 1 % in playbooks/sales-daily.yml")
        #expect(run.rows == RunSummary.Rows(read: 500, loaded: 489, quarantined: 8, deduplicated: 3, updated: 0))
        #expect(run.steps.map(\.status) == ["passed", "healed", "healed", "passed", "passed", "passed"])

        // Quarantine files: one batch per healed step, every row with its reason and source line.
        let files = home.files(under: "quarantine/sales-daily/2026-11-19")
        #expect(files == ["\(run.runID)-2.csv", "\(run.runID).csv"])
        var quarantinedLines: Set<Int> = []
        for file in files {
            let reader = try CSVReader(url: home.url("quarantine/sales-daily/2026-11-19/\(file)"))
            #expect(Array(reader.header.prefix(6)) == ["_source_line", "_reason", "_rule", "_column", "_value", "sale_id"])
            while let record = try reader.next() {
                #expect(!record.fields[1].isEmpty)
                quarantinedLines.insert(Int(record.fields[0])!)
            }
        }
        #expect(quarantinedLines.count == 8)
        let md = try metadata(home)
        #expect(try count(md, "SELECT sum(rows) FROM quarantine_batches WHERE run_id = '\(run.runID)'") == 8)
        #expect(try count(md, "SELECT count(*) FROM runs WHERE id = '\(run.runID)' AND rows_read = rows_loaded + rows_quarantined + rows_deduplicated") == 1)

        // The stdlib peer pipeline (bench/peers/ref_python_csv.py, the benchmark's own; same semantics) must load exactly the same rows.
        let peer = try TestHome()
        defer { peer.remove() }
        let reference = try await HealProcess.run(executable: URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", TestHome.repository.appendingPathComponent("bench/peers/ref_python_csv.py").path,
            home.url("examples/landing/sales_20261119.csv").path, "--products", home.url("examples/products.csv").path,
            "--db", peer.url("ref.db").path, "--quarantine", peer.url("ref-quarantine.csv").path,
        ], in: peer)
        #expect(reference.status == 0, "\(reference.stderr)")
        // Row by row, every column, read back the same way from either warehouse and from the peer's SQLite file.
        let columns = "sale_id, date, amount, tax_amount, product_id, customer_id, quantity, store, channel, category, region"
        let ours = try await wh.rows("SELECT \(columns) FROM sales ORDER BY sale_id")
        let theirs = try await TestWarehouse.sqlite(peer, file: "ref.db").rows("SELECT \(columns) FROM sales ORDER BY sale_id")
        #expect(ours.count == 489)
        #expect(ours == theirs)
        // Every row the peer quarantined for a broken value is in our quarantine too (its duplicates we deduplicate).
        let peerQuarantine = try CSVReader(url: peer.url("ref-quarantine.csv"))
        var peerLines: Set<Int> = []
        while let record = try peerQuarantine.next() {
            guard record.fields[1] != "duplicate_sale_id" else { continue }
            peerLines.insert(Int(record.fields[0])! + 1)
        }
        #expect(peerLines == quarantinedLines)
    }

    /// On a terminal a long step shows rows and rows/s on one line of standard error; through a pipe nothing extra.
    @Test func progressShowsOnATerminalOnly() async throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("playbooks/p.yml", "steps:\n  - { name: fetch, skill: f }\n  - { name: schema, skill: s }\n  - { name: load, skill: l }\n")
        try home.write("skills/f.yml", "kind: fetch\nsource: landing/big.csv\n")
        try home.write("skills/s.yml", "kind: validate_schema\ncolumns:\n  - { name: id, type: integer }\n  - { name: note, type: string }\n")
        try home.write("skills/l.yml", "kind: load\ntarget: sqlite:warehouse.db\ntable: t\n")
        var text = "id,note\n"
        text.reserveCapacity(8_000_000)
        for i in 1...400_000 { text += "\(i),row number \(i)\n" }
        try home.write("landing/big.csv", text)
        let heal = HealProcess.binary.path
        let onTerminal = try await HealProcess.run(executable: URL(fileURLWithPath: "/usr/bin/script"),
                                                   ["-q", "-e", "-c", "\(heal) run p --date 2026-11-01", "/dev/null"],
                                                   in: home, environment: ["HEAL_PROGRESS_AFTER_MS": "0"])
        #expect(onTerminal.status == 0, "\(onTerminal.stdout)")
        #expect(onTerminal.stdout.contains("rows/s"))
        #expect(onTerminal.stdout.contains(try Regex(#"(schema|load)  [0-9,]+ rows · [0-9,]+ rows/s"#)))
        #expect(onTerminal.stdout.contains("succeeded: read 400000 · loaded 400000"))
        let piped = try await HealProcess.run(["run", "p", "--date", "2026-11-02"], home: home, environment: ["HEAL_PROGRESS_AFTER_MS": "0"])
        #expect(piped.status == 0)
        #expect(!piped.stdout.contains("rows/s") && !piped.stderr.contains("rows/s"))
    }

    @Test(arguments: TestWarehouse.Kind.allCases)
    func missingPrimaryFileHealsFromTheMirror(_ kind: TestWarehouse.Kind) async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let wh = try await TestWarehouse.make(kind, for: home)
        let result = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-20", "--json"], home: home, environment: wh.environment)
        #expect(result.status == 0)
        let run = try summary(result)
        #expect(run.status == .healed)
        #expect(run.steps[0].attempts.map(\.skill) == ["fetch-sales", "sales-mirror", "fetch-sales"])
        #expect(run.steps[0].attempts[0].failureClass == "source_missing")
        #expect(try await wh.count("SELECT count(*) FROM sales WHERE _heal_date = '2026-11-20'") == 500)
        #expect(try count(try metadata(home), "SELECT count(*) FROM attempts WHERE run_id = '\(run.runID)' AND level = 2") == 2)
    }

    @Test func dayWithNoFileAnywhereFailsWithAnAlert() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let result = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-21"], home: home)
        #expect(result.status == 1)
        #expect(result.stderr.contains("ALERT heal: sales-daily 2026-11-21 failed at step 'fetch' (source_missing)"))
        #expect(result.stdout.contains("failed: read 0"))
        let alerts = try home.read("alerts/alerts.jsonl")
        #expect(alerts.contains("\"suggestion\""))
        #expect(try count(try metadata(home), "SELECT count(*) FROM runs WHERE status = 'failed'") == 1)
        #expect(try count(try metadata(home), "SELECT count(*) FROM alerts") == 1)
        if home.exists("warehouse.db") {
            #expect(try count(try warehouse(home), "SELECT count(*) FROM _heal_loads") == 0)
        }
    }

    @Test func httpSourceThatAnswers503TwiceSucceedsAfterTwoRetries() async throws {
        let file = try Data(contentsOf: TestHome.repository.appendingPathComponent("examples/landing/sales_20261118.csv"))
        let server = try await TestHTTPServer.flaky(failures: 2, then: file)
        defer { Task { await server.stop() } }
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write("skills/fetch-sales.yml", "kind: fetch\nsource: \(server.baseURL)/sales_{date:yyyyMMdd}.csv\ntimeout_seconds: 10\n")
        let playbook = try home.read("playbooks/sales-daily.yml").replacingOccurrences(of: "backoff_ms: 1000", with: "backoff_ms: 50")
        try home.write("playbooks/sales-daily.yml", playbook)
        let result = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18", "--json"], home: home)
        #expect(result.status == 0, "\(result.stderr)")
        let run = try summary(result)
        #expect(run.status == .succeeded)
        #expect(run.steps[0].attempts.map(\.outcome) == ["fail", "fail", "pass"])
        #expect(run.steps[0].attempts.map(\.failureClass) == ["transient", "transient", nil])
        #expect(await server.requests().map(\.path) == Array(repeating: "/sales_20261118.csv", count: 3))
        #expect(try count(try warehouse(home), "SELECT count(*) FROM sales") == 500)
        #expect(try count(try metadata(home), "SELECT count(*) FROM attempts WHERE step = 'fetch'") == 3)
    }

    @Test(arguments: TestWarehouse.Kind.allCases)
    func rerunningADayIsSkippedAndForceReplacesIt(_ kind: TestWarehouse.Kind) async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let wh = try await TestWarehouse.make(kind, for: home)
        let first = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home, environment: wh.environment)
        #expect(first.status == 0)
        let again = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18", "--json"], home: home, environment: wh.environment)
        #expect(again.status == 0)
        let skipped = try summary(again)
        #expect(skipped.status == .skipped)
        #expect(skipped.steps.map(\.status) == ["passed", "skipped", "skipped", "skipped", "skipped", "skipped"])
        #expect(try await wh.count("SELECT count(*) FROM sales") == 500)
        #expect(home.files(under: "quarantine").isEmpty)

        let forced = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18", "--force", "--json"], home: home, environment: wh.environment)
        #expect(forced.status == 0)
        let replaced = try summary(forced)
        #expect(replaced.status == .succeeded)
        #expect(replaced.steps[4].attempts.last?.details.contains("replacing 500 earlier rows of 2026-11-18") == true)
        #expect(try await wh.count("SELECT count(*) FROM sales") == 500)
        #expect(try await wh.count("SELECT count(*) FROM sales WHERE _heal_run = '\(replaced.runID)'") == 500)
        #expect(try await wh.count("SELECT count(*) FROM _heal_loads") == 1)
    }

    @Test func typoInAPlaybookExits2WithFileLineColumn() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let playbook = try home.read("playbooks/sales-daily.yml").replacingOccurrences(of: "    skill: sales-load", with: "    skil: sales-load")
        try home.write("playbooks/sales-daily.yml", playbook)
        let line = playbook.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("skil: sales-load") }! + 1
        let result = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home)
        #expect(result.status == 2)
        #expect(result.stderr.contains("playbooks/sales-daily.yml:\(line):5: unknown setting 'skil'"))
        #expect(result.stderr.contains("did you mean 'skill'?"))
        #expect(!result.stderr.contains("Fatal error"))
        #expect(!home.exists("warehouse.db"))
        let check = try await HealProcess.run(["check"], home: home)
        #expect(check.status == 2)
        #expect(check.stderr.contains("playbooks/sales-daily.yml:\(line):5:"))
        #expect(try await HealProcess.run(["check"], home: try TestHome.example()).status == 0)
    }

    @Test func usageErrorsExit2() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let badDate = try await HealProcess.run(["run", "sales-daily", "--date", "21/11/2026"], home: home)
        #expect(badDate.status == 2)
        #expect(badDate.stderr.contains("expected YYYY-MM-DD"))
        let unknown = try await HealProcess.run(["run", "sales-dialy"], home: home)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("did you mean 'sales-daily'?"))
        #expect(try await HealProcess.run(["frobnicate"], home: home).status == 2)
    }

    @Test func runsListAndShowReadTheHistory() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let other = try TestHome()
        defer { other.remove() }
        // --home points elsewhere than the working folder.
        let result = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19", "--json", "--home", home.root.path], home: other)
        let run = try summary(result)
        let list = try await HealProcess.run(["runs", "list"], home: home)
        #expect(list.status == 0)
        #expect(list.stdout.contains(run.runID))
        #expect(list.stdout.contains("partial"))
        let show = try await HealProcess.run(["runs", "show", String(run.runID.prefix(18))], home: home)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("rows: read 500 · loaded 489 · quarantined 8 · deduplicated 3"))
        #expect(show.stdout.contains("quarantine_filter") || show.stdout.contains("quarantine#1"))
        #expect(show.stdout.contains("quarantine/sales-daily/2026-11-19/\(run.runID).csv"))
        let json = try await HealProcess.run(["runs", "show", run.runID, "--json"], home: home)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect((object["attempts"] as? [Any])?.count == 10)
        #expect(try await HealProcess.run(["runs", "show", "nope"], home: home).status == 2)
    }

    @Test func driftDayHealsAndTheMappingIsListedShownAndForgotten() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let result = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-22", "--json"], home: home, environment: ["ANTHROPIC_API_KEY": ""])
        let run = try summary(result)
        #expect(run.status == .healed)
        #expect(run.rows.loaded == 500)
        let show = try await HealProcess.run(["runs", "show", run.runID], home: home)
        #expect(show.stdout.contains("heuristic accepted"))
        let list = try await HealProcess.run(["mappings", "list"], home: home)
        #expect(list.stdout.contains("rename SaleID → sale_id") && list.stdout.contains("rename Amount → amount"), "\(list.stdout)")
        let one = try await HealProcess.run(["mappings", "show", "1"], home: home)
        #expect(one.stdout.contains("header: channel,SaleID,date,Amount,Product ID,cust_id,quantity,store,promo_code"))
        #expect(one.stdout.contains("cast date as date from dd.MM.yyyy"))
        #expect(try await HealProcess.run(["mappings", "forget", "1"], home: home).status == 0)
        #expect(try await HealProcess.run(["mappings", "list"], home: home).stdout.contains("no learned mappings yet"))
        #expect(try await HealProcess.run(["mappings", "show", "1"], home: home).status == 2)
    }
}
