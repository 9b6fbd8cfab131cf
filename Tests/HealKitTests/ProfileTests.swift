import Foundation
import GRDB
import HealKit
import HealTesting
import Testing

/// Evidence from history, through the built `heal`: profiles kept per day, the gate refusing type-correct lies,
/// the watch catching drift under an unchanged header, and headers healed by their values alone.
@Suite("Profiles, drift and the gate", .serialized, .timeLimit(.minutes(8)))
struct ProfileTests {
    static let header = ["sale_id", "date", "amount", "product_id", "customer_id", "quantity", "store", "channel"]

    /// The example home with three accepted days, 2026-11-10 to 12: each the clean 2026-11-18 moved to its date.
    /// Built once per kind of amounts and copied for each case.
    func homeWithHistory(proposers: String = "[learned, heuristic, claude]", wholeAmounts: Bool = false) async throws -> TestHome {
        let home = try await Self.histories.home(wholeAmounts: wholeAmounts) { try await self.buildHistory(wholeAmounts: wholeAmounts) }
        try home.write("skills/repair.yml", "kind: schema_repair\nproposers: \(proposers)\nmax_calls: 2\n")
        return home
    }

    func buildHistory(wholeAmounts: Bool) async throws -> TestHome {
        let home = try TestHome.example()
        for day in 10...12 {
            try writeDay(home, day) { wholeAmounts ? Self.whole($0) : $0 }
            let result = try await heal(home, ["run", "sales-daily", "--date", "2026-11-\(day)"])
            #expect(result.status == 0, "history day \(day): \(result.stdout)\(result.stderr)")
        }
        return home
    }

    /// The built histories, kept for the suite's run (they live in the temporary folder).
    actor Histories {
        private var built: [Bool: TestHome] = [:]

        func home(wholeAmounts: Bool, build: @Sendable () async throws -> TestHome) async throws -> TestHome {
            if built[wholeAmounts] == nil { built[wholeAmounts] = try await build() }
            return try built[wholeAmounts]!.copy()
        }
    }

    static let histories = Histories()

    /// Amounts without cents (at least 1), so amount and quantity each parse as the other's type.
    static func whole(_ row: [String]) -> [String] {
        var row = row
        if let amount = Double(row[2]) { row[2] = String(max(1, Int(amount))) }
        return row
    }

    /// Day 18's rows as the file of 2026-11-DD: sale ids and dates moved to that day; `edit` changes each row.
    func writeDay(_ home: TestHome, _ day: Int, header: [String] = ProfileTests.header, edit: ([String]) -> [String] = { $0 }) throws {
        let reader = try CSVReader(url: home.url("examples/landing/sales_20261118.csv"))
        let writer = try CSVWriter(url: home.url("examples/landing/sales_202611\(day).csv"), header: header)
        let formats = [DateFormat.iso, DateFormat("MM/dd/yyyy")!]
        try reader.forEachRow { row in
            var fields = row.strings
            fields[0] = fields[0].replacingOccurrences(of: "S20261118-", with: "S202611\(day)-")
            if let date = CalendarDate.parse(fields[1], formats: formats) { fields[1] = date.adding(days: day - 18).description }
            try writer.write(edit(fields))
        }
        _ = try writer.finish()
    }

    func heal(_ home: TestHome, _ arguments: [String], server: TestHTTPServer? = nil) async throws -> HealProcess.Result {
        var environment = ["ANTHROPIC_API_KEY": ""]
        if let server { environment = ["ANTHROPIC_API_KEY": "sk-ant-test-0123456789", "ANTHROPIC_BASE_URL": server.baseURL] }
        return try await HealProcess.run(arguments, home: home, environment: environment)
    }

    /// Rows of a query on one of the home's SQLite files, every value as text.
    func query(_ home: TestHome, _ file: String, _ sql: String) throws -> [[String]] {
        try DatabaseQueue(path: home.url(file).path).read { db in
            try Row.fetchAll(db, sql: sql).map { row in row.databaseValues.map { $0.isNull ? "NULL" : "\($0.storage.value!)" } }
        }
    }

    func warehouse(_ home: TestHome, _ sql: String) throws -> [[String]] { try query(home, "warehouse.db", sql) }
    func metadata(_ home: TestHome, _ sql: String) throws -> [[String]] { try query(home, "metadata.db", sql) }

    // MARK: the gate

    enum Lie: String, CaseIterable, Sendable {
        case twoTextColumnsSwapped, twoNumericColumnsSwapped, aColumnFromTheWrongSource
    }

    @Test(arguments: Lie.allCases)
    func aModelsTypeCorrectWrongMappingIsRefusedByTheProfiles(_ lie: Lie) async throws {
        let home = try await homeWithHistory(proposers: "[learned, claude]", wholeAmounts: true)
        defer { home.remove() }
        let drifted = ["SaleID", "date", "Amount", "Product ID", "cust_id", "qty", "outlet", "channel"]
        try writeDay(home, 13, header: drifted, edit: Self.whole)
        var renames = ["SaleID": "sale_id", "Amount": "amount", "Product ID": "product_id", "cust_id": "customer_id", "qty": "quantity", "outlet": "store"]
        switch lie {
        case .twoTextColumnsSwapped: (renames["Product ID"], renames["cust_id"]) = ("customer_id", "product_id")
        case .twoNumericColumnsSwapped: (renames["Amount"], renames["qty"]) = ("quantity", "amount")
        case .aColumnFromTheWrongSource: (renames["outlet"], renames["cust_id"]) = ("customer_id", "store")
        }
        let answer = SchemaRepair.wireText(["operations": renames.sorted { $0.key < $1.key }.map { ["op": "rename", "from": $0.key, "to": $0.value] },
                                            "confidence": 0.97, "rationale": "the columns were renamed"])
        let server = try await TestHTTPServer { _, _ in MessagesAPIStub.toolUse(SchemaRepair.wireObject(answer)) }
        defer { Task { await server.stop() } }

        let result = try await heal(home, ["run", "sales-daily", "--date", "2026-11-13"], server: server)
        #expect(result.status == 1, "\(result.stdout)")
        #expect(await server.requests().count == 1)
        let proposals = try metadata(home, "SELECT proposer, verdict, reason FROM proposals ORDER BY id").filter { $0[0] == "claude" }
        #expect(proposals.count == 1 && proposals.allSatisfy { $0[1] == "rejected" })
        let reason = proposals.first?[2] ?? ""
        #expect(reason.hasPrefix("the profiles refuse it: "), "\(reason)")
        switch lie {
        case .twoTextColumnsSwapped:
            #expect(reason.contains("product_id would hold values shaped C9999999 (100 %); its history (3 days) is P99999 (100 %)"), "\(reason)")
            #expect(reason.contains("lookup on product_id would match 0 % of its values in products.csv"), "\(reason)")
        case .twoNumericColumnsSwapped:
            #expect(reason.contains("amount's median would be"), "\(reason)")
            #expect(reason.contains("quantity's median would be"), "\(reason)")
        case .aColumnFromTheWrongSource:
            #expect(reason.contains("customer_id would hold values shaped"), "\(reason)")
        }
        #expect(try warehouse(home, "SELECT count(*) FROM sales WHERE sale_id LIKE 'S20261113-%'") == [["0"]])
        #expect(try warehouse(home, "SELECT count(*) FROM sales") == [["1500"]])
        #expect(try metadata(home, "SELECT count(*) FROM schema_mappings") == [["0"]], "nothing is learned")
        #expect(try metadata(home, "SELECT count(*) FROM profiles WHERE logical_date = '2026-11-13'") == [["0"]], "a refused proposal stores no profile")
    }

    @Test func beforeAnyHistoryTheGateSaysSoAndJudgesOnTheChecks() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let result = try await heal(home, ["run", "sales-daily", "--date", "2026-11-22"])
        #expect(result.status == 0, "\(result.stdout)")
        let evidence = try metadata(home, "SELECT evidence FROM proposals WHERE verdict = 'accepted'")
        #expect(evidence.first?.first?.contains("no profile history to judge on (no accepted day yet; the watch starts at 1)") == true, "\(evidence)")
        let run = try metadata(home, "SELECT id FROM runs").first![0]
        let shown = try await heal(home, ["runs", "show", run])
        #expect(shown.stdout.contains("profile: no profile history to judge on"), "\(shown.stdout)")
    }

    // MARK: the watch

    enum Change: String, CaseIterable, Sendable {
        case textValuesSwapped, numericValuesSwapped, amountsInCents
    }

    @Test(arguments: Change.allCases)
    func driftUnderAnUnchangedHeaderStopsTheLoad(_ change: Change) async throws {
        let home = try await homeWithHistory(wholeAmounts: change == .numericValuesSwapped)
        defer { home.remove() }
        try writeDay(home, 13) { row in
            var row = row
            switch change {
            case .textValuesSwapped: row.swapAt(3, 4)
            case .numericValuesSwapped: row = Self.whole(row); row.swapAt(2, 5)
            case .amountsInCents: row[2] = String(format: "%.0f", (Double(row[2]) ?? 0) * 100)
            }
            return row
        }
        let result = try await heal(home, ["run", "sales-daily", "--date", "2026-11-13"])
        #expect(result.status == 1, "\(result.stdout)")
        #expect(result.stdout.contains("FAIL  quality") && result.stdout.contains("drift: "), "\(result.stdout)")
        let alerts = try home.read("alerts/alerts.jsonl").split(separator: "\n").filter { $0.contains("2026-11-13") }
        #expect(alerts.count == 1 && alerts[0].contains("\"failure_class\":\"drift\""), "\(alerts)")
        let events = try metadata(home, "SELECT column_name, check_name, level FROM drift_events WHERE logical_date = '2026-11-13' ORDER BY id")
        switch change {
        case .textValuesSwapped:
            #expect(events.contains(["product_id", "shape", "fail"]) && events.contains(["product_id", "lookup_match", "fail"]) && events.contains(["customer_id", "shape", "fail"]), "\(events)")
        case .numericValuesSwapped:
            #expect(events.contains(["amount", "range", "fail"]) && events.contains(["quantity", "range", "fail"]), "\(events)")
        case .amountsInCents:
            #expect(events == [["amount", "range", "fail"]], "\(events)")
            #expect(result.stdout.contains("about ×100 its usual median"), "\(result.stdout)")
        }
        #expect(try warehouse(home, "SELECT count(*) FROM sales") == [["1500"]], "nothing loaded")
        #expect(try metadata(home, "SELECT count(*) FROM profiles WHERE logical_date = '2026-11-13' AND accepted = 1") == [["0"]])

        // The producer confirms the change was on purpose: --accept-drift loads it and makes it history.
        if change == .amountsInCents {
            try home.write("skills/sales-quality.yml", try home.read("skills/sales-quality.yml").replacingOccurrences(of: "max: 10000", with: "max: 1000000"))
            let accepted = try await heal(home, ["run", "sales-daily", "--date", "2026-11-13", "--accept-drift"])
            #expect(accepted.status == 0, "\(accepted.stdout)")
            #expect(try warehouse(home, "SELECT count(*) FROM sales") == [["2000"]])
            #expect(try metadata(home, "SELECT count(*) FROM profiles WHERE logical_date = '2026-11-13' AND accepted = 1") == [["8"]])

            // Seen by people: the baseline, and the week's drift per column with each column's trend.
            let profile = try await heal(home, ["profile", "sales-daily", "amount"])
            #expect(profile.status == 0 && profile.stdout.contains("baseline of 4 accepted days (2026-11-10 to 2026-11-13"), "\(profile.stdout)")
            #expect(profile.stdout.split(separator: "\n").filter { $0.contains(" rows · decimal") }.count == 4, "\(profile.stdout)")
            let report = try await heal(home, ["report", "weekly", "--pipeline", "sales-daily", "--since", "2026-11-10", "--format", "json"])
            let json = try JSONSerialization.jsonObject(with: Data(report.stdout.utf8)) as? [String: Any]
            let drift = json?["drift"] as? [[String: Any]] ?? []
            #expect(drift.contains { $0["column"] as? String == "amount" && $0["check"] as? String == "range" && $0["fails"] as? Int == 2 && $0["accepted"] as? Int == 1 }, "\(drift)")
            let trend = (json?["trends"] as? [[String: Any]] ?? []).first { $0["column"] as? String == "amount" }
            let medians = (trend?["by_day"] as? [Any] ?? []).prefix(4).compactMap { $0 as? Double }
            #expect(medians.count == 4 && medians[3] > medians[2] * 50, "\(String(describing: trend))")
        }
    }

    @Test func warningsLoadAndSayWhatChanged() async throws {
        let home = try await homeWithHistory()
        defer { home.remove() }
        // Without the allowed rule a new channel reaches the watch; customer_id arrives empty on every row.
        try home.write("skills/sales-quality.yml", try home.read("skills/sales-quality.yml").replacingOccurrences(of: "  - allowed: { column: channel, values: [online, store, phone, marketplace] }\n", with: ""))
        try writeDay(home, 13) { row in
            var row = row
            row[4] = ""
            if row[0].hasSuffix("0") { row[7] = "kiosk" }
            return row
        }
        let result = try await heal(home, ["run", "sales-daily", "--date", "2026-11-13"])
        #expect(result.status == 0, "\(result.stdout)")
        #expect(try warehouse(home, "SELECT count(*) FROM sales WHERE sale_id LIKE 'S20261113-%'") == [["500"]])
        let alerts = try home.read("alerts/alerts.jsonl").split(separator: "\n").filter { $0.contains("2026-11-13") }
        #expect(alerts.count == 2 && alerts.allSatisfy { $0.contains("\"severity\":\"warning\"") && $0.contains("\"failure_class\":\"drift\"") }, "\(alerts)")
        #expect(alerts.contains { $0.contains("customer_id is empty on every row; at most 0 % on its last 3 days") }, "\(alerts)")
        #expect(alerts.contains { $0.contains("channel holds value its last 3 days never had: 'kiosk' (50 rows)") }, "\(alerts)")
    }

    // MARK: matching by values

    @Test(arguments: [
        ["Verkaufsnummer", "Datum", "Betrag", "Artikelnummer", "Kundennummer", "Menge", "Filiale", "Kanal"],
        ["txn_ref", "booked_on", "gross", "article_code", "account_no", "pieces", "outlet", "source"],
    ])
    func aHeaderOfOtherNamesHealsByItsValuesWithNoModelCall(_ header: [String]) async throws {
        let home = try await homeWithHistory()
        defer { home.remove() }
        let server = try await TestHTTPServer { _, _ in MessagesAPIStub.toolUse(["operations": []]) }
        defer { Task { await server.stop() } }
        try writeDay(home, 13, header: header)
        let result = try await heal(home, ["run", "sales-daily", "--date", "2026-11-13"], server: server)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("heuristic mapping accepted"), "\(result.stdout)")
        #expect(await server.requests().isEmpty, "no model call")
        // The day loads exactly as the clean day it was made from: day 12's rows, a day later.
        let columns = "substr(sale_id, 11), date(date, '-1 day'), amount, product_id, customer_id, quantity, store, channel, category, region, tax_amount"
        let healed = try warehouse(home, "SELECT \(columns) FROM sales WHERE sale_id LIKE 'S20261113-%' ORDER BY sale_id")
        let columnsBefore = columns.replacingOccurrences(of: "date(date, '-1 day')", with: "date")
        let clean = try warehouse(home, "SELECT \(columnsBefore) FROM sales WHERE sale_id LIKE 'S20261112-%' ORDER BY sale_id")
        #expect(healed.count == 500 && healed == clean)
        let rationale = try metadata(home, "SELECT reason FROM proposals WHERE verdict = 'accepted'").first?.first ?? ""
        #expect(rationale.contains("\(header[2]) → amount: decimal, 2 places,") && rationale.contains("like amount's last 3 days"), "\(rationale)")
        #expect(rationale.contains("\(header[3]) → product_id: shaped P99999 (100 %), lookup "), "\(rationale)")
    }

    @Test func twoColumnsWithTheSameValuesAndUnknownNamesGetNoProposal() async throws {
        let home = try await homeWithHistory(proposers: "[learned, heuristic]")
        defer { home.remove() }
        var header = Self.header
        header[4] = "ref_a"
        try writeDay(home, 13, header: header + ["ref_b"]) { row in row + ["C" + String(row[4].dropFirst().reversed())] }
        let result = try await heal(home, ["run", "sales-daily", "--date", "2026-11-13"])
        #expect(result.status == 1, "\(result.stdout)")
        let proposals = try metadata(home, "SELECT proposer, verdict, reason FROM proposals ORDER BY id")
        #expect(proposals.last?[0] == "heuristic" && proposals.last?[1] == "none")
        #expect(proposals.last?[2].contains("'customer_id' could be 'ref_a' or 'ref_b'; not guessing") == true, "\(proposals)")
        #expect(try warehouse(home, "SELECT count(*) FROM sales") == [["1500"]])
    }

    /// Profiles stored before heal's JSON was snake_case (`minLength`) are rewritten when metadata.db is opened, so a
    /// week of history stays a baseline after the upgrade.
    @Test func profilesStoredWithTheOldKeysStillReadAfterTheUpgrade() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        #expect(try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home).status == 0)
        let queue = try DatabaseQueue(path: home.url("metadata.db").path)
        try await queue.write { db in
            try db.execute(sql: """
                UPDATE profiles SET profile = replace(replace(replace(profile, '"min_length":', '"minLength":'), '"max_length":', '"maxLength":'),
                    '"other_shapes":', '"otherShapes":')
                """)
            try db.execute(sql: "DELETE FROM grdb_migrations WHERE identifier = 'v10-snake-case-profiles'")
        }
        let old = try await queue.read { db in try String.fetchAll(db, sql: "SELECT profile FROM profiles WHERE column_name = 'sale_id'") }
        #expect(old.count == 1 && old[0].contains("\"minLength\":"), "\(old)")
        try queue.close()
        let store = try MetadataStore(url: home.url("metadata.db"))
        let baseline = try store.baseline(pipeline: "sales-daily", step: "quality", column: "sale_id", before: "2026-11-19", days: 7)
        #expect(baseline.days.count == 1 && baseline.days.first?.profile.minLength == 19 && baseline.days.first?.profile.maxLength == 19,
                "\(baseline.days.map(\.profile))")
        let text = try await DatabaseQueue(path: home.url("metadata.db").path).read { db in try String.fetchAll(db, sql: "SELECT profile FROM profiles") }
        #expect(!text.isEmpty && text.allSatisfy { !$0.contains("minLength") && !$0.contains("maxLength") && !$0.contains("otherShapes") })
    }
}
