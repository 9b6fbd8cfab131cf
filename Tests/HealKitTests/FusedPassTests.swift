import Foundation
import HealKit
import HealTesting
import Testing

/// Issue 19: a transform streamed into the load after it, in one pass with no file between them. The table is the
/// one the staged steps give, row by row; a night that does not pass both is rolled back and walks the ladder as
/// before, with every attempt recorded once.
@Suite("One pass: a transform streamed into its load", .serialized, .timeLimit(.minutes(6)))
struct FusedPassTests {
    static let columns = "sale_id, date, amount, tax_amount, product_id, customer_id, quantity, store, channel, category, region"

    func metadata(_ home: TestHome) -> TestWarehouse { TestWarehouse.sqlite(home, file: "metadata.db") }

    func attempts(_ home: TestHome) async throws -> [String] {
        try await metadata(home).rows("SELECT step || ':' || skill || ':' || outcome FROM attempts ORDER BY rowid").map { $0[0] }
    }

    /// The example's bad day (8 rows quarantined, 3 duplicates) through the one pass and through staged steps: the same
    /// 489 rows, the same accounting, and only the staged run leaves a transform file.
    @Test(arguments: TestWarehouse.Kind.allCases)
    func theSameTableAsTheStagedSteps(_ kind: TestWarehouse.Kind) async throws {
        let fused = try TestHome.example()
        defer { fused.remove() }
        let fusedWarehouse = try await TestWarehouse.make(kind, for: fused)
        let staged = try TestHome.example()
        defer { staged.remove() }
        // A load that types new columns reads its input twice, so it is given a staged file.
        try staged.write("skills/sales-load.yml", try staged.read("skills/sales-load.yml") + "new_columns: evolve\n")
        let stagedWarehouse = try await TestWarehouse.make(kind, for: staged)
        for (home, warehouse) in [(fused, fusedWarehouse), (staged, stagedWarehouse)] {
            let run = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19"], home: home, environment: warehouse.environment)
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(
                try await metadata(home).rows("SELECT status, rows_read, rows_loaded, rows_quarantined, rows_deduplicated FROM runs")
                    == [["partial", "500", "489", "8", "3"]]
            )
        }
        let table = "SELECT \(Self.columns) FROM sales ORDER BY sale_id"
        let rows = try await fusedWarehouse.rows(table)
        #expect(rows.count == 489)
        let stagedRows = try await stagedWarehouse.rows(table)
        #expect(rows == stagedRows)
        #expect(try await fusedWarehouse.count("SELECT count(DISTINCT sale_id) FROM sales") == 489)

        let transform = "SELECT details FROM attempts WHERE step = 'transform'"
        #expect(try await metadata(fused).rows(transform) == [["492 rows in, 489 out, 3 duplicates dropped, streamed into step load (no file staged)"]])
        #expect(try await metadata(staged).rows(transform) == [["492 rows in, 489 out, 3 duplicates dropped"]])
        #expect(fused.files(under: "staging/sales-daily").allSatisfy { !$0.hasSuffix("transform.csv") })
        #expect(staged.files(under: "staging/sales-daily").contains { $0.hasSuffix("04-transform.csv") })
        for home in [fused, staged] {
            #expect(
                try await attempts(home).suffix(3) == ["transform:sales-transform:pass", "load:sales-load:pass", "health:sales-health:pass"]
            )
        }
        // Re-run and --force behave as they do with staged steps: skipped, then the date replaced, never doubled.
        let again = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19", "--json"], home: fused, environment: fusedWarehouse.environment)
        #expect(again.stdout.contains("\"status\" : \"skipped\""), "\(again.stdout)")
        let forced = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19", "--force"], home: fused, environment: fusedWarehouse.environment)
        #expect(forced.status == 0, "\(forced.stdout)\(forced.stderr)")
        #expect(try await fusedWarehouse.rows(table) == rows)
        #expect(try await fusedWarehouse.count("SELECT count(*) FROM _heal_loads") == 1)
    }

    /// A computed column that comes out NULL on rows whose inputs have values fails the transform's verdict at the
    /// end of the pass: the load, already written, is rolled back, and the transform runs alone and fails as it
    /// always did. One transform attempt is recorded, no load attempt, and the table is empty.
    @Test(arguments: TestWarehouse.Kind.allCases)
    func aFailingVerdictRollsTheLoadBack(_ kind: TestWarehouse.Kind) async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write(
            "skills/sales-transform.yml",
            try home.read("skills/sales-transform.yml") + "  - { name: per_unit, expr: \"amount / (quantity - quantity)\", type: decimal }\n"
        )
        let warehouse = try await TestWarehouse.make(kind, for: home)
        let run = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home, environment: warehouse.environment)
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("computed column per_unit"), "\(run.stdout)")
        for table in ["sales", "_heal_loads"] {
            let rows = try await warehouse.hasTable(table) ? try await warehouse.count("SELECT count(*) FROM \(table)") : 0
            #expect(rows == 0, "\(table)")
        }
        #expect(try await attempts(home).suffix(1) == ["transform:sales-transform:fail"])
        #expect(
            try await metadata(home).rows("SELECT failure_class FROM attempts WHERE step = 'transform'") == [["quality_violation"]]
        )
        #expect(try await metadata(home).count("SELECT count(*) FROM checkpoints WHERE step IN ('transform', 'load')") == 0)
    }

    /// A load refused in the pass (a key another day loaded) is rolled back; the transform then stages its file and
    /// the load climbs its ladder: refused, upserted, re-checked, as with staged steps.
    @Test(arguments: TestWarehouse.Kind.allCases)
    func aRefusedLoadClimbsItsLadder(_ kind: TestWarehouse.Kind) async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write("skills/upsert.yml", "kind: upsert\n")
        try home.write(
            "playbooks/sales-daily.yml",
            try home.read("playbooks/sales-daily.yml").replacingOccurrences(
                of: "    skill: sales-load\n",
                with: "    skill: sales-load\n    on_failure: { constraint_violation: [upsert] }\n"
            )
        )
        let warehouse = try await TestWarehouse.make(kind, for: home)
        #expect(try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home, environment: warehouse.environment).status == 0)
        // Another day's file (the 17th, run late) repeats the 18th's first sale, with another amount.
        let day18 = try home.read("examples/landing/sales_20261118.csv").split(separator: "\n").map(String.init)
        var repeated = day18[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        repeated[2] = "1.23"
        let others = day18.dropFirst(2).map { $0.replacingOccurrences(of: "S20261118", with: "S20261117") }
        try home.write("examples/landing/sales_20261117.csv", ([day18[0], repeated.joined(separator: ",")] + others).joined(separator: "\n") + "\n")
        let run = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-17", "--json"], home: home, environment: warehouse.environment)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("\"status\" : \"healed\""), "\(run.stdout)")
        #expect(
            try await attempts(home).suffix(5) == [
                "transform:sales-transform:pass", "load:sales-load:fail", "load:upsert:pass", "load:sales-load:pass",
                "health:sales-health:pass",
            ]
        )
        #expect(try await metadata(home).count("SELECT count(*) FROM attempts WHERE details LIKE '%streamed%' AND run_id IN (SELECT id FROM runs WHERE logical_date = '2026-11-17')") == 0)
        #expect(home.files(under: "staging/sales-daily").contains { $0.hasSuffix("04-transform.csv") })
        #expect(try await warehouse.rows("SELECT amount, _heal_date FROM sales WHERE sale_id = '\(repeated[0])'") == [["1.23", "2026-11-17"]])
        #expect(try await warehouse.count("SELECT count(*) FROM sales") == 999)
        #expect(
            try await metadata(home).rows("SELECT rows_read, rows_loaded, rows_updated FROM runs WHERE logical_date = '2026-11-17'")
                == [["500", "499", "1"]]
        )
    }

    /// A step after the load that reads the file before it (a command given `HEAL_ARTIFACT`) gets a real file: the
    /// plan does not stream the transform, and the command counts the transform's rows in its staged output.
    @Test func aLaterReaderOfTheFileGetsTheStagedSteps() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        // Braces in a skill are placeholders, so the JSON comes from a script.
        try home.write("count.sh", #"printf '{"details": "%s lines in %s"}' "$(wc -l < "$HEAL_ARTIFACT")" "$(basename "$HEAL_ARTIFACT")""# + "\n")
        try home.write("skills/count.yml", "kind: command\nrun: [sh, \(home.url("count.sh").path)]\n")
        try home.write(
            "playbooks/sales-daily.yml",
            try home.read("playbooks/sales-daily.yml").replacingOccurrences(
                of: "    skill: sales-load\n",
                with: "    skill: sales-load\n  - name: count\n    skill: count\n"
            )
        )
        let run = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19"], home: home)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(try await metadata(home).rows("SELECT details FROM attempts WHERE step = 'transform'") == [["492 rows in, 489 out, 3 duplicates dropped"]])
        // The header and the 489 rows the load wrote.
        #expect(try await metadata(home).rows("SELECT details FROM attempts WHERE step = 'count'") == [["490 lines in 04-transform.csv"]])
        #expect(try await TestWarehouse.sqlite(home, file: "warehouse.db").count("SELECT count(*) FROM sales") == 489)
    }

    /// A step that names the transform's file (`{artifact.transform}`, here a query's parameter) gets one: no pass.
    @Test func aStepNamingTheTransformsFileGetsIt() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write(
            "skills/staged.yml",
            "kind: sql\nquery: SELECT count(*) FROM sales WHERE ? LIKE '%04-transform.csv'\nparams: [\"{artifact.transform}\"]\nexpect: 489\n"
        )
        let playbook = try home.read("playbooks/sales-daily.yml")
        try home.write("playbooks/sales-daily.yml", playbook + (playbook.hasSuffix("\n") ? "" : "\n") + "  - name: staged\n    skill: staged\n")
        let run = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19"], home: home)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(try await metadata(home).rows("SELECT outcome FROM attempts WHERE step = 'staged'") == [["pass"]])
        #expect(try await metadata(home).count("SELECT count(*) FROM attempts WHERE details LIKE '%streamed%'") == 0)
    }
}
