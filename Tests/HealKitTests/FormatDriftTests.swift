import Foundation
@testable import HealKit
import HealTesting
import Testing

/// Issue 14 beyond the corpus: what the schema step says about format drift, readings never guessed, one mapping
/// applied at once, remediations after a repair on the repaired file, and aliases promoted into the contract.
@Suite("Format drift, readings and aliases", .serialized, .timeLimit(.minutes(5)))
struct FormatDriftTests {
    static let day = "2026-11-18"
    static let file = "examples/landing/sales_20261118.csv"

    /// The example home with the clean day's records (header first) changed by `edit`, written as CSV.
    func example(_ edit: (inout [[String]]) -> Void) throws -> TestHome {
        let home = try TestHome.example()
        var rows = try DriftCorpusTests.clean()
        edit(&rows)
        try home.write(Self.file, DriftCorpusTests.csv(rows))
        return home
    }

    func run(_ home: TestHome, date: String = day) async throws -> (HealProcess.Result, RunSummary) {
        let result = try await HealProcess.run(["run", "sales-daily", "--date", date, "--json"], home: home, environment: ["ANTHROPIC_API_KEY": ""])
        return (result, try JSONDecoder().decode(RunSummary.self, from: Data(result.stdout.utf8)))
    }

    func attempts(_ run: RunSummary, _ step: String) -> [AttemptSummary] { run.steps.first { $0.name == step }?.attempts ?? [] }

    func table(_ home: TestHome, _ sql: String) async throws -> [[String]] {
        try await TestWarehouse.sqlite(home, file: "warehouse.db").rows(sql)
    }

    @Test func formatDriftIsASchemaMismatchThatNamesTheColumnAndTheReading() async throws {
        let home = try example { rows in rows = DriftCorpusTests.redate(rows, "dd.MM.yyyy") }
        defer { home.remove() }
        let (result, run) = try await self.run(home)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(run.status == .healed)
        let first = try #require(attempts(run, "schema").first)
        #expect(first.failureClass == "schema_mismatch")
        #expect(first.details.contains("format drift — date: 500 of 500 values are not a date (yyyy-MM-dd or MM/dd/yyyy); they read as dd.MM.yyyy (e.g. '"), "\(first.details)")
        let f = try PipelineFixture(home: home)
        let proposals = try f.store.proposals(run: run.runID)
        #expect(proposals.map(\.verdict) == ["none", "accepted"])
        #expect(proposals.last?.mapping?.text.contains("\"format\":\"dd.MM.yyyy\"") == true)
        #expect(try await table(home, "SELECT count(*) FROM sales WHERE date = '2026-10-24'") == [["20"]])
    }

    @Test func anAmbiguousReadingIsNeverGuessedAndTheAlertSaysWhy() async throws {
        // Every day and month ≤ 12: 03-04-2026 is 3 April or March 4.
        let home = try example { rows in rows = DriftCorpusTests.mapColumn(rows, 1) { _, r in String(format: "%02d-%02d-2026", r % 12 + 1, r % 7 + 1) } }
        defer { home.remove() }
        let (result, run) = try await self.run(home)
        #expect(result.status == 1)
        #expect(run.rows.loaded == 0)
        let first = try #require(attempts(run, "schema").first)
        #expect(first.failureClass == "schema_mismatch")
        #expect(first.details.contains("their reading is ambiguous") && first.details.contains("not guessing"), "\(first.details)")
        let alert = try home.read("alerts/alerts.jsonl")
        #expect(alert.contains("ambiguous") && alert.contains("reads two ways"), "\(alert)")
        #expect(try await TestWarehouse.sqlite(home, file: "warehouse.db").hasTable("sales") == false)
    }

    @Test func aProposalThatSwapsTwoColumnsSwapsThem() async throws {
        // The producer swapped two headers and renamed a third; the mapping that fixes it is one swap and a rename.
        let home = try example { rows in rows[0] = ["sale_id", "date", "amt", "customer_id", "product_id", "quantity", "store", "channel"] }
        defer { home.remove() }
        let f = try PipelineFixture(home: home)
        guard let contract = try #require(f.config.skills["sales-contract"]).settings(ContractSpec.self) else { Issue.record("no contract"); return }
        let header = try DriftCorpusTests.clean()[0].indices.map { ["sale_id", "date", "amt", "customer_id", "product_id", "quantity", "store", "channel"][$0] }
        let request = RepairRequest(pipeline: "sales-daily", skill: "sales-contract", contract: contract, header: header, failure: "", samples: [])
        let swap = SchemaRepair(operations: [.rename(from: "amt", to: "amount"), .rename(from: "customer_id", to: "product_id"), .rename(from: "product_id", to: "customer_id")])
        try f.store.remember(MappingRecord(fingerprint: request.fingerprint, pipeline: "sales-daily", skill: "sales-contract", contractVersion: contract.version,
                                           header: header.joined(separator: ","), mapping: StoredJSON(swap.jsonText), proposer: "learned", createdAt: Timestamp.now()))
        let (result, run) = try await self.run(home)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(run.rows.loaded == 500)
        #expect(try await table(home, "SELECT count(*) FROM sales WHERE product_id LIKE 'P%' AND customer_id LIKE 'C%'") == [["500"]])
    }

    @Test func remediationsAfterARepairWorkOnTheRepairedFile() async throws {
        // A renamed header, a ragged row and a bad amount (quarantined by the schema step after the repair), and a
        // channel the quality rules refuse (quarantined by the quality step, which reads the repaired header).
        let home = try example { rows in
            rows[0] = ["sale_id", "date", "amt_total", "product_id", "client_id", "quantity", "store", "channel"]
            rows[10].append("extra")
            rows[20][2] = "abc"
            rows[30][7] = "carrier-pigeon"
        }
        defer { home.remove() }
        let (result, run) = try await self.run(home)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(run.rows == RunSummary.Rows(read: 500, loaded: 497, quarantined: 3, deduplicated: 0, updated: 0))
        #expect(attempts(run, "schema").map(\.skill) == ["sales-contract", "repair", "sales-contract", "quarantine", "sales-contract"])
        #expect(attempts(run, "quality").map(\.outcome) == ["fail", "pass", "pass"])
        var reasons: [String] = []
        for file in home.files(under: "quarantine").sorted() {
            let reader = try CSVReader(url: home.url("quarantine/\(file)"))
            #expect(reader.header.contains("amount") && reader.header.contains("customer_id"), "\(reader.header)")
            while let record = try reader.next() { reasons.append(record.fields[2]) }
        }
        #expect(reasons.sorted() == ["allowed", "ragged_row", "type"])
        #expect(try await table(home, "SELECT count(*) FROM sales WHERE customer_id LIKE 'C%' AND amount > 0") == [["497"]])
    }

    @Test func aPromotedMappingMakesTheNextDriftNeedNoProposer() async throws {
        let header = ["transaction_id", "sale_dt", "amt_total", "sku", "client_id", "Qty", "store", "channel"]
        let home = try example { rows in rows[0] = header }
        defer { home.remove() }
        let (first, run) = try await self.run(home)
        #expect(first.status == 0 && run.status == .healed, "\(first.stdout)")
        let promoted = try await HealProcess.run(["mappings", "promote", "1"], home: home)
        #expect(promoted.status == 0, "\(promoted.stderr)")
        #expect(promoted.stdout.contains("added alias: customer_id ← client_id"))
        #expect(try home.read("skills/sales-contract.yml").hasPrefix("# The data contract for the sales file."))
        #expect(try await HealProcess.run(["check"], home: home).status == 0)
        // The next day in the same drift: read by aliases, no repair, no proposal.
        var rows = try DriftCorpusTests.clean()
        rows[0] = header
        for r in 1..<rows.count { rows[r][0] = rows[r][0].replacingOccurrences(of: "S20261118", with: "S20261119") }
        try home.write("examples/landing/sales_20261119.csv", DriftCorpusTests.csv(rows))
        let (second, next) = try await self.run(home, date: "2026-11-19")
        #expect(second.status == 0 && next.status == .succeeded, "\(second.stdout)")
        #expect(attempts(next, "schema").map(\.skill) == ["sales-contract"])
        #expect(attempts(next, "schema").first?.details.contains("read by alias: transaction_id as sale_id") == true)
        #expect(try PipelineFixture(home: home).store.proposals(run: next.runID).isEmpty)
        #expect(try await table(home, "SELECT count(*) FROM sales WHERE _heal_date = '2026-11-19' AND customer_id LIKE 'C%'") == [["500"]])
    }

    @Test func accountingNegativesTrailingMinusesAndGroupedIntegersHeal() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write("skills/sales-quality.yml", "kind: validate_quality\nrules:\n  - not_null: [sale_id]\n")
        try home.write("skills/sales-health.yml", "kind: health_check\nchecks:\n  - { name: amounts, sql: \"SELECT count(*) FROM sales WHERE amount IS NULL\", expect: 0 }\n")
        let header = "sale_id,date,amount,product_id,customer_id,quantity,store,channel\n"
        try home.write(Self.file, header + """
            S1,2026-11-18,"(1,250.00)",P00001,C1,1 200,Store 1,online
            S2,2026-11-18,"2,000.50",P00002,C2,12 000,Store 1,online
            S3,2026-11-18,3.00,P00003,C3,7,Store 1,online
            S4,2026-11-18,(4.00),P00004,C4,1 000,Store 1,online

            """)
        try home.write("examples/landing/sales_20261119.csv", header + """
            T1,2026-11-19,12.50-,P00001,C1,1,Store 1,online
            T2,2026-11-19,3.00,P00002,C2,2,Store 1,online
            T3,2026-11-19,4.10-,P00003,C3,3,Store 1,online
            T4,2026-11-19,7.25-,P00004,C4,4,Store 1,online

            """)
        let (first, day1) = try await run(home)
        #expect(first.status == 0 && day1.status == .healed, "\(first.stdout)")
        let (second, day2) = try await run(home, date: "2026-11-19")
        #expect(second.status == 0 && day2.status == .healed, "\(second.stdout)")
        let rows = try await table(home, "SELECT sale_id, CAST(round(amount * 100) AS INTEGER), quantity FROM sales ORDER BY sale_id")
        #expect(rows == [["S1", "-125000", "1200"], ["S2", "200050", "12000"], ["S3", "300", "7"], ["S4", "-400", "1000"],
                         ["T1", "-1250", "1"], ["T2", "300", "2"], ["T3", "-410", "3"], ["T4", "-725", "4"]], "\(rows)")
        let proposals = try PipelineFixture(home: home).store.proposals(run: day1.runID)
        #expect(proposals.last?.mapping?.text.contains("thousands_comma+parentheses_negative") == true, "\(proposals.map(\.mapping))")
        #expect(proposals.last?.mapping?.text.contains("thousands_space") == true)
    }

    @Test func aHealedFormatIsStillRefusedWhenTheVolumeDrops() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let (clean, _) = try await run(home)
        #expect(clean.status == 0)
        var rows = try DriftCorpusTests.clean()
        rows = Array(DriftCorpusTests.redate(rows, "dd.MM.yyyy").prefix(41))
        for r in 1..<rows.count { rows[r][0] = rows[r][0].replacingOccurrences(of: "S20261118", with: "S20261119") }
        try home.write("examples/landing/sales_20261119.csv", DriftCorpusTests.csv(rows))
        let (result, run) = try await self.run(home, date: "2026-11-19")
        #expect(result.status == 1)
        // The cast reads the dates, and the gate, which runs the quality rules on the repaired file, refuses it for its volume.
        let heuristic = try PipelineFixture(home: home).store.proposals(run: run.runID).first { $0.proposer == "heuristic" }
        #expect(heuristic?.verdict == "rejected" && heuristic?.reason.contains("volume_anomaly") == true, "\(String(describing: heuristic?.reason))")
        #expect(heuristic?.mapping?.text.contains("dd.MM.yyyy") == true)
        #expect(try await table(home, "SELECT count(*) FROM sales WHERE _heal_date = '2026-11-19'") == [["0"]])
        #expect(try home.read("alerts/alerts.jsonl").contains("volume_anomaly"))
    }

    @Test func leadingZerosLeftOutBlankLinesAndPaddedRowsAreRead() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write(Self.file, """
            sale_id,date,amount,product_id,customer_id,quantity,store,channel

            S20261118-1,2026-11-18,.80,P00001,C1,+2,Store 1,online,,

            S20261118-2,2026-11-18,5.,P00002,C2,1,Store 2,store

            """)
        try home.write("skills/sales-quality.yml", "kind: validate_quality\nrules:\n  - not_null: [sale_id]\n")
        let (result, run) = try await self.run(home)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(run.rows.loaded == 2)
        let schema = try #require(attempts(run, "schema").first)
        #expect(schema.details.contains("2 blank lines skipped") && schema.details.contains("1 row had only empty fields past the header's"), "\(schema.details)")
        let loaded = try await table(home, "SELECT amount * 100, quantity FROM sales ORDER BY sale_id")
        #expect(loaded == [["80", "2"], ["500", "1"]], "\(loaded)")
    }
    static func reading(_ values: [String], _ type: ColumnType) -> ReadingInference {
        ReadingInference.infer(values, for: ColumnSpec(name: "c", type: type))
    }

    static func converted(_ values: [String], _ type: ColumnType) -> [String?] {
        guard case .reading(let r, _) = reading(values, type) else { return [] }
        return values.map { r.convert($0, to: ColumnSpec(name: "c", type: type)) }
    }

    @Test func readingsOfDates() {
        #expect(Self.converted(["22.11.2026", "01.02.2026", "31.12.2025"], .date) == ["2026-11-22", "2026-02-01", "2025-12-31"])
        #expect(Self.converted(["18 Nov 2026", "3 SEPT 2026", "1 jan 2027"], .date) == ["2026-11-18", "2026-09-03", "2027-01-01"])
        #expect(Self.converted(["November 18, 2026", "May 1, 2026", "June 30, 2026"], .date) == ["2026-11-18", "2026-05-01", "2026-06-30"])
        #expect(Self.converted(["2026-11-18T23:30:00-05:00", "2026-11-19T00:15:00.123Z", "2026-11-19 08:00:00"], .date) == ["2026-11-18", "2026-11-19", "2026-11-19"])
        // Day and month both ≤ 12 everywhere: two readings disagree, so none is chosen.
        guard case .ambiguous(let why) = Self.reading(["01/02/2026", "03/04/2026", "11/12/2026"], .date) else { Issue.record("guessed"); return }
        #expect(why.contains("dd/MM/yyyy") && why.contains("MM/dd/yyyy"))
        // One day past 12 among 200 is a typo as likely as proof: still ambiguous; a fifth of them decides.
        let small = (0..<199).map { String(format: "%02d/%02d/2026", $0 % 12 + 1, $0 % 12 + 1 == 1 ? 2 : 1) }
        guard case .ambiguous = Self.reading(small + ["25/01/2026"], .date) else { Issue.record("one value decided"); return }
        let decided = (0..<200).map { String(format: "%02d/%02d/2026", $0 % 28 + 1, $0 % 12 + 1) }
        guard case .reading(let r, _) = Self.reading(decided, .date) else { Issue.record("not read"); return }
        #expect(r.format == "dd/MM/yyyy")
    }

    @Test func readingsOfNumbers() {
        #expect(Self.converted(["1,234.50", "12.00", "999,999.99"], .decimal) == ["1234.50", "12.00", "999999.99"])
        #expect(Self.converted(["1.234,50", "12,00", "7,5"], .decimal) == ["1234.50", "12.00", "7.5"])
        #expect(Self.converted(["1 234,50", "12,00", "1\u{00A0}000,5"], .decimal) == ["1234.50", "12.00", "1000.5"])
        #expect(Self.converted(["1'234.50", "12.00", "3'000.1"], .decimal) == ["1234.50", "12.00", "3000.1"])
        #expect(Self.converted(["$1,234.50", "(12.00)", "$7.25"], .decimal) == ["1234.50", "-12.00", "7.25"])
        #expect(Self.converted(["12.50-", "3.00", "4.10-"], .decimal) == ["-12.50", "3.00", "-4.10"])
        #expect(Self.converted(["EUR 12,50", "3,00 €", "1.000,00 EUR"], .decimal) == ["12.50", "3.00", "1000.00"])
        #expect(Self.converted(["1,234", "12,345,678", "7"], .integer) == ["1234", "12345678", "7"])
        // `1,234` alone reads as thousands or as a decimal, in a decimal column and in an integer one.
        guard case .ambiguous = Self.reading(["1,234", "5,678", "9,001"], .decimal) else { Issue.record("guessed a decimal"); return }
        guard case .ambiguous = Self.reading(["1,234", "5,678", "9,001"], .integer) else { Issue.record("guessed an integer"); return }
        #expect(Self.reading(["abc", "n/a", "??"], .decimal) == .none)
    }

    @Test func theGateAndTheParserKnowOnlyTheVocabulary() throws {
        for (type, format) in [(ColumnType.date, "dd.MM.yyyy"), (.date, "iso8601"), (.date, "MMMM d, yyyy"), (.decimal, "decimal_comma+currency"),
                               (.integer, "thousands_comma"), (.decimal, "currency+thousands_space+parentheses_negative")] {
            #expect(CastReading(type: type, format: format) != nil, "\(format)")
        }
        for (type, format) in [(ColumnType.date, "dd.MM"), (.decimal, "decimal_comma+decimal_point"), (.decimal, "thousands_comma+thousands_dot"),
                               (.decimal, "rm -rf /"), (.string, "decimal_comma"), (.integer, "decimal_comma")] {
            #expect(CastReading(type: type, format: format) == nil, "\(format)")
            #expect(throws: RepairRejection.self) {
                try SchemaRepair.parse(["operations": [["op": "cast", "column": "c", "type": type.rawValue, "format": format]]])
            }
        }
    }

    @Test func namesAsPeopleAbbreviateThem() {
        let quantity = ColumnSpec(name: "quantity", type: .integer), amount = ColumnSpec(name: "amount", type: .decimal)
        let customer = ColumnSpec(name: "customer_id"), sale = ColumnSpec(name: "sale_id"), product = ColumnSpec(name: "product_id")
        for (name, column) in [("Qty", quantity), ("amt_total", amount), ("cust", customer), ("client_id", customer), ("CustomerNo", customer),
                               ("sku", product), ("transaction_id", sale), ("txn_no", sale), ("Order #", sale), ("amount (usd)", amount)] {
            #expect(ColumnNames.similarity(name, column) >= HeuristicProposer.threshold, "\(name) → \(column.name)")
        }
        for (name, column) in [("store", quantity), ("id", sale), ("amount\"; DROP TABLE sales; --", amount), ("product_id", customer)] {
            #expect(ColumnNames.similarity(name, column) < HeuristicProposer.threshold, "\(name) → \(column.name)")
        }
    }

    @Test func promotingAMappingKeepsTheContractsCommentsAndLayout() throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let before = try home.read("skills/sales-contract.yml")
        let repair = SchemaRepair(operations: [.rename(from: "client_id", to: "customer_id"), .rename(from: "sku", to: "product_id"),
                                               .rename(from: "Qty \"x\"", to: "quantity"), .cast(column: "date", type: .date, format: "dd.MM.yyyy")])
        let outcome = try AliasPromotion.promote(repair, skill: "sales-contract", home: home.healHome)
        let after = try home.read("skills/sales-contract.yml")
        #expect(outcome.added == ["customer_id ← client_id", "product_id ← sku", "quantity ← Qty \"x\""], "\(after)")
        #expect(outcome.skipped.count == 1)
        let expected = before
            .replacingOccurrences(of: "aliases: [cust_id, customer] }", with: "aliases: [cust_id, customer, \"client_id\"] }")
            .replacingOccurrences(of: "{ name: product_id, type: string }", with: "{ name: product_id, type: string, aliases: [\"sku\"] }")
            .replacingOccurrences(of: "{ name: quantity, type: integer }", with: "{ name: quantity, type: integer, aliases: [\"Qty \\\"x\\\"\"] }")
        #expect(after == expected)
    }

    @Test func promotingIntoABlockStyleContract() throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write("skills/sales-contract.yml", """
            kind: validate_schema   # block style
            columns:
              - name: sale_id
                type: string
              - name: customer_id
                aliases:
                  - cust_id   # the old export
            """)
        let repair = SchemaRepair(operations: [.rename(from: "txn", to: "sale_id"), .rename(from: "client_id", to: "customer_id")])
        _ = try AliasPromotion.promote(repair, skill: "sales-contract", home: home.healHome)
        #expect(try home.read("skills/sales-contract.yml") == """
            kind: validate_schema   # block style
            columns:
              - name: sale_id
                aliases: ["txn"]
                type: string
              - name: customer_id
                aliases:
                  - cust_id   # the old export
                  - "client_id"
            """)
    }
}
