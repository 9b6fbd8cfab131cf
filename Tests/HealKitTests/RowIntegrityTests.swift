import Foundation
import HealKit
import HealTesting
import Testing

/// Defects that lost or corrupted rows (issue 13, items 1–3 and 14): each through the built binary, checked in the
/// warehouse, the quarantine files and metadata.db.
@Suite("Row integrity under hostile files", .serialized, .timeLimit(.minutes(5)))
struct RowIntegrityTests {
    static let day = "2026-11-18"
    static let file = "examples/landing/sales_20261118.csv"

    /// The example's clean day with `edit` applied to its lines (0 is the header).
    func example(_ edit: (inout [String]) -> Void) throws -> TestHome {
        let home = try TestHome.example()
        var lines = try home.read(Self.file).split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        if lines.last == "" { lines.removeLast() }
        edit(&lines)
        try home.write(Self.file, lines.joined(separator: "\n") + "\n")
        return home
    }

    static func setField(_ line: inout String, _ column: Int, _ value: String) {
        var fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        fields[column] = value
        line = fields.joined(separator: ",")
    }

    func summary(_ result: HealProcess.Result) throws -> RunSummary {
        try JSONDecoder().decode(RunSummary.self, from: Data(result.stdout.utf8))
    }

    /// The day run with `--json` into a fresh warehouse of `kind`; the run must exit 0.
    func runDay(_ home: TestHome, on kind: TestWarehouse.Kind) async throws -> (RunSummary, TestWarehouse) {
        let wh = try await TestWarehouse.make(kind, for: home)
        let result = try await HealProcess.run(["run", "sales-daily", "--date", Self.day, "--json"], home: home, environment: wh.environment)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        return (try summary(result), wh)
    }

    func quarantinedLines(_ home: TestHome) throws -> [Int: String] {
        var lines: [Int: String] = [:]
        for file in home.files(under: "quarantine") {
            let reader = try CSVReader(url: home.url("quarantine/\(file)"))
            while let record = try reader.next() { lines[Int(record.fields[0])!] = record.fields[2] }
        }
        return lines
    }

    /// Item 1: the first data row failing its type took the header with it (a false schema_mismatch, or 498 NULL rows).
    @Test(arguments: TestWarehouse.Kind.allCases)
    func firstRowQuarantinedKeepsTheHeader(_ kind: TestWarehouse.Kind) async throws {
        let home = try example { Self.setField(&$0[1], 2, "abc") }
        defer { home.remove() }
        let (run, wh) = try await runDay(home, on: kind)
        #expect(run.status == .healed)
        #expect(run.rows == RunSummary.Rows(read: 500, loaded: 499, quarantined: 1, deduplicated: 0, updated: 0))
        #expect(try quarantinedLines(home) == [2: "type"])
        #expect(try await wh.count("SELECT count(*) FROM sales") == 499)
        #expect(try await wh.count("SELECT count(*) FROM sales WHERE sale_id IS NULL OR amount IS NULL OR store IS NULL") == 0)
        // The second data row is a row, not the header.
        let second = try home.read(Self.file).split(separator: "\n")[2].split(separator: ",")[0]
        #expect(try await wh.count("SELECT count(*) FROM sales WHERE sale_id = '\(second)'") == 1)
    }

    /// Item 1, the shortest pipeline that loaded 498 NULL rows with a ledger row: fetch → schema (quarantine) → load.
    @Test func firstRowQuarantinedInAFetchSchemaLoadPipeline() async throws {
        let home = try example { Self.setField(&$0[1], 5, "many") }
        defer { home.remove() }
        try home.write("playbooks/bare.yml", """
            retry: { attempts: 1 }
            steps:
              - { name: fetch, skill: fetch-sales }
              - name: schema
                skill: sales-contract
                on_failure: { parse_error: [quarantine] }
              - { name: load, skill: bare-load }
            """)
        try home.write("skills/bare-load.yml", "kind: load\ntarget: sqlite:bare.db\ntable: sales\nkey: [sale_id]\n")
        let result = try await HealProcess.run(["run", "bare", "--date", Self.day, "--json"], home: home)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(try summary(result).rows == RunSummary.Rows(read: 500, loaded: 499, quarantined: 1, deduplicated: 0, updated: 0))
        let wh = TestWarehouse.sqlite(home, file: "bare.db")
        #expect(try await wh.count("SELECT count(*) FROM sales WHERE sale_id IS NOT NULL AND date IS NOT NULL") == 499)
        #expect(try await wh.count("SELECT rows FROM _heal_loads") == 499)
    }

    /// Item 1: the balance is checked inside the load's transaction; a load that would break it commits nothing.
    @Test(arguments: TestWarehouse.Kind.allCases)
    func anUnbalancedLoadIsRolledBack(_ kind: TestWarehouse.Kind) async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let wh = try await TestWarehouse.make(kind, for: home)
        let warehouse = try WarehouseTarget.open(wh.target, home: home.healHome, environment: wh.environment)
        let url = home.url(Self.file)
        let digest = try FileDigest.sha256(of: url)
        var request = LoadRequest(pipeline: "sales-daily", date: Self.day, runID: "r1", table: "sales",
                                  columns: try CSVReader(url: url).header.map { ColumnSpec(name: $0) },
                                  artifact: Artifact(url: url, sha256: digest.sha256, bytes: digest.bytes, rows: 500),
                                  inputSHA256: digest.sha256, key: ["sale_id"], mode: .append)
        request.expectedRows = 499
        await #expect(throws: SkillFailure.self) { try await warehouse.load(request) }
        let ledgerRows = try await wh.hasTable("_heal_loads") ? try await wh.count("SELECT count(*) FROM _heal_loads") : 0
        let tableRows = try await wh.hasTable("sales") ? try await wh.count("SELECT count(*) FROM sales") : 0
        #expect(ledgerRows == 0 && tableRows == 0)
        request.expectedRows = 500
        _ = try await warehouse.load(request)
        #expect(try await wh.count("SELECT count(*) FROM sales") == 500)
    }

    /// Item 2: one stray quote made the next 13 lines one quarantined record (read 487 of 500, reported healed).
    @Test(arguments: TestWarehouse.Kind.allCases)
    func aStrayQuoteSetsAsideOnlyItsLine(_ kind: TestWarehouse.Kind) async throws {
        let home = try example { lines in
            Self.setField(&lines[10], 6, "\"Downtown")   // opens a quote never closed on its line
            Self.setField(&lines[23], 6, "Uptown\"")     // a quote followed by a comma 13 lines later "closes" it
        }
        defer { home.remove() }
        let (run, wh) = try await runDay(home, on: kind)
        #expect(run.rows == RunSummary.Rows(read: 500, loaded: 499, quarantined: 1, deduplicated: 0, updated: 0))
        #expect(try quarantinedLines(home) == [11: "unclosed_quote"])
        #expect(try await wh.count("SELECT count(*) FROM sales") == 499)
        #expect(try await wh.count("SELECT count(*) FROM sales WHERE store = 'Uptown\"'") == 1)
    }

    /// Item 2: a quote never closed before the end of the file, on the last data line and in the middle.
    @Test func aQuoteNeverClosedSetsAsideOnlyItsLine() async throws {
        for line in [500, 250] {
            let home = try example { Self.setField(&$0[line], 7, "\"online") }
            defer { home.remove() }
            let result = try await HealProcess.run(["run", "sales-daily", "--date", Self.day, "--json"], home: home)
            #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
            #expect(try summary(result).rows == RunSummary.Rows(read: 500, loaded: 499, quarantined: 1, deduplicated: 0, updated: 0), "line \(line)")
            #expect(try quarantinedLines(home) == [line + 1: "unclosed_quote"], "line \(line)")
        }
    }

    /// Item 2: a legitimate quoted field across lines stays one row.
    @Test func aQuotedFieldAcrossLinesIsStillOneRow() async throws {
        let home = try example { Self.setField(&$0[5], 6, "\"Main\nStreet, north\"") }
        defer { home.remove() }
        let result = try await HealProcess.run(["run", "sales-daily", "--date", Self.day, "--json"], home: home)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(try summary(result).rows == RunSummary.Rows(read: 500, loaded: 500, quarantined: 0, deduplicated: 0, updated: 0))
        #expect(try await TestWarehouse.sqlite(home, file: "warehouse.db").count("SELECT count(*) FROM sales WHERE store = 'Main\nStreet, north'") == 1)
    }

    /// Item 3: two playbooks load one table; --force (and mode: replace) on one keeps the other's rows and ledger.
    @Test(arguments: TestWarehouse.Kind.allCases)
    func twoPipelinesShareATableWithoutDeletingEachOther(_ kind: TestWarehouse.Kind) async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        // A second shop's export of the same day: other sale ids, the same contract and table.
        let text = try home.read(Self.file).replacingOccurrences(of: "\nS", with: "\nW")
        try home.write("examples/west/sales_20261118.csv", text)
        try home.write("playbooks/west-daily.yml", try home.read("playbooks/sales-daily.yml")
            .replacingOccurrences(of: "skill: fetch-sales", with: "skill: fetch-west")
            .replacingOccurrences(of: "skill: sales-quality", with: "skill: west-quality"))
        try home.write("skills/fetch-west.yml", "kind: fetch\nsource: examples/west/sales_{date:yyyyMMdd}.csv\n")
        try home.write("skills/west-quality.yml", try home.read("skills/sales-quality.yml").replacingOccurrences(of: "^S[0-9]", with: "^W[0-9]"))
        let wh = try await TestWarehouse.make(kind, for: home)
        for pipeline in ["sales-daily", "west-daily"] {
            let r = try await HealProcess.run(["run", pipeline, "--date", Self.day], home: home, environment: wh.environment)
            #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        }
        #expect(try await wh.count("SELECT count(*) FROM sales") == 1000)
        let forced = try await HealProcess.run(["run", "sales-daily", "--date", Self.day, "--force"], home: home, environment: wh.environment)
        #expect(forced.stdout.contains("replacing 500 earlier rows"), "\(forced.stdout)\(forced.stderr)")
        #expect(try await wh.count("SELECT count(*) FROM sales WHERE sale_id LIKE 'W%'") == 500)
        #expect(try await wh.count("SELECT count(*) FROM sales WHERE sale_id LIKE 'S%'") == 500)
        #expect(try await wh.count("SELECT count(*) FROM _heal_loads WHERE pipeline = 'west-daily'") == 1)
        // The other pipeline's ledger still matches its rows: its re-run is rightly skipped, and its own --force
        // replaces only its own rows.
        let again = try await HealProcess.run(["run", "west-daily", "--date", Self.day], home: home, environment: wh.environment)
        #expect(again.stdout.contains("skipped"), "\(again.stdout)")
        let westForced = try await HealProcess.run(["run", "west-daily", "--date", Self.day, "--force"], home: home, environment: wh.environment)
        #expect(westForced.status == 0 && westForced.stdout.contains("replacing 500 earlier rows"), "\(westForced.stdout)\(westForced.stderr)")
        #expect(try await wh.count("SELECT count(*) FROM sales") == 1000)
        #expect(try await wh.count("SELECT count(DISTINCT sale_id) FROM sales") == 1000)
    }

    /// Item 14: a NUL byte in a value is quarantined as parse_error on both warehouses (PostgreSQL failed the whole load).
    @Test(arguments: TestWarehouse.Kind.allCases)
    func aNULByteIsQuarantined(_ kind: TestWarehouse.Kind) async throws {
        let home = try example { Self.setField(&$0[7], 6, "Main\u{0}St") }
        defer { home.remove() }
        let (run, wh) = try await runDay(home, on: kind)
        #expect(run.rows == RunSummary.Rows(read: 500, loaded: 499, quarantined: 1, deduplicated: 0, updated: 0))
        #expect(try quarantinedLines(home) == [8: "nul_byte"])
        #expect(try await wh.count("SELECT count(*) FROM sales") == 499)
    }
}
