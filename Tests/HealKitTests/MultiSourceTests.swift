import Foundation
import HealKit
import HealTesting
import Testing

/// One playbook, three sources: a sales API (incremental), an inventory API (a full snapshot each night) and a
/// product table fetched over HTTP that the sales transform looks up. Each source is accounted, skipped and
/// watermarked on its own.
@Suite("Several sources per pipeline", .serialized, .timeLimit(.minutes(3)))
struct MultiSourceTests {
    /// What the test API serves; tests change it between runs.
    final class Feed: @unchecked Sendable {
        private let lock = NSLock()
        private var sales: [[String: Any]] = [
            ["id": 1, "sku": "A", "amount": "10.50", "updated_at": "2026-11-21T01:00:00Z"],
            ["id": 2, "sku": "B", "amount": "-5", "updated_at": "2026-11-21T02:00:00Z"],
            ["id": 3, "sku": "B", "amount": "7.25", "updated_at": "2026-11-21T03:00:00Z"],
            ["id": 4, "sku": "C", "amount": "3.00", "updated_at": "2026-11-21T04:00:00Z"],
        ]
        private var inventory: [[String: Any]] = [["sku": "A", "on_hand": 12], ["sku": "B", "on_hand": 0], ["sku": "C", "on_hand": 5]]

        func addSale(_ id: Int, sku: String, at: String) { lock.withLock { sales.append(["id": id, "sku": sku, "amount": "\(id).00", "updated_at": at]) } }
        func setInventory(_ rows: [[String: Any]]) { lock.withLock { inventory = rows } }
        func sales(after since: String) -> [[String: Any]] { lock.withLock { sales.filter { ($0["updated_at"] as! String) > since } } }
        func inventoryRows() -> [[String: Any]] { lock.withLock { inventory } }
    }

    func server(_ feed: Feed) async throws -> TestHTTPServer {
        try await TestHTTPServer { request, _ in
            let json: (Any) -> TestHTTPServer.Reply = { object in
                .init(status: 200, body: try! JSONSerialization.data(withJSONObject: object), headers: ["Content-Type": "application/json"])
            }
            switch request.path {
            case "/products.csv": return .init(status: 200, body: Data("sku,category\nA,toys\nB,books\nC,games\n".utf8))
            case "/sales": return json(["records": feed.sales(after: request.query["since"] ?? "")])
            case "/inventory": return json(["records": feed.inventoryRows()])
            default: return .init(status: 404)
            }
        }
    }

    func home(api: TestHTTPServer) throws -> TestHome {
        let home = try TestHome()
        // Every source is fetched first (a missing one fails the night before anything loads), then each goes its way.
        try home.write("playbooks/retail.yml", """
            retry: { attempts: 1 }
            steps:
              - { name: products, skill: products }
              - { name: products_schema, skill: products-contract }
              - { name: sales, skill: sales-api }
              - { name: inventory, skill: inventory-api }
              - { name: sales_schema, skill: sales-contract, input: sales }
              - name: sales_quality
                skill: sales-quality
                on_failure: { quality_violation: [quarantine] }
              - { name: enrich, skill: enrich }
              - { name: sales_load, skill: sales-load }
              - { name: inventory_schema, skill: inventory-contract, input: inventory }
              - { name: inventory_load, skill: inventory-load }
            """)
        try home.write("skills/products.yml", "kind: fetch\nsource: \"\(api.baseURL)/products.csv\"\n")
        try home.write("skills/products-contract.yml", "kind: validate_schema\ncolumns:\n  - { name: sku, type: string }\n  - { name: category, type: string }\n")
        try home.write("skills/sales-api.yml", """
            kind: fetch
            source: "\(api.baseURL)/sales"
            api:
              query: { since: "{watermark}" }
              records: records
              watermark: { field: updated_at }
            """)
        try home.write("skills/inventory-api.yml", "kind: fetch\nsource: \"\(api.baseURL)/inventory\"\napi:\n  records: records\n")
        try home.write("skills/sales-contract.yml", """
            kind: validate_schema
            columns:
              - { name: id, type: integer }
              - { name: sku, type: string }
              - { name: amount, type: decimal }
              - { name: updated_at, type: string }
            """)
        try home.write("skills/sales-quality.yml", "kind: validate_quality\nrules:\n  - range: { column: amount, min: 0.01, max: 10000 }\n")
        try home.write("skills/quarantine.yml", "kind: quarantine_filter\nmax_pct: 50\n")
        try home.write("skills/enrich.yml", "kind: transform\nlookup:\n  file: \"{artifact.products}\"\n  key: sku\n  columns: [category]\n")
        try home.write("skills/sales-load.yml", "kind: load\ntarget: sqlite:warehouse.db\ntable: sales\nkey: [id]\n")
        try home.write("skills/inventory-contract.yml", "kind: validate_schema\ncolumns:\n  - { name: sku, type: string }\n  - { name: on_hand, type: integer }\n")
        try home.write("skills/inventory-load.yml", "kind: load\ntarget: sqlite:warehouse.db\ntable: inventory\n")
        return home
    }

    func rows(_ home: TestHome, _ sql: String) async throws -> [[String]] {
        try await TestWarehouse.sqlite(home, file: "warehouse.db").rows(sql)
    }

    func metadata(_ home: TestHome, _ sql: String) async throws -> [[String]] {
        try await TestWarehouse.sqlite(home, file: "metadata.db").rows(sql)
    }

    func summary(_ output: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
    }

    @Test func threeSourcesAccountedSkippedAndWatermarkedApart() async throws {
        let feed = Feed()
        let api = try await server(feed)
        defer { Task { await api.stop() } }
        let home = try self.home(api: api)
        defer { home.remove() }

        #expect(try await HealProcess.run(["check"], home: home).status == 0)

        // Night 1: sales and inventory both load; the product table only enriches.
        let first = try await HealProcess.run(["run", "retail", "--date", "2026-11-21", "--json"], home: home)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        let one = try summary(first.stdout)
        #expect(one["status"] as? String == "partial")
        let rows1 = try #require(one["rows"] as? [String: Int])
        #expect(rows1["read"] == 7 && rows1["loaded"] == 6 && rows1["quarantined"] == 1, "\(rows1)")
        let sources = try #require(one["sources"] as? [[String: Any]])
        #expect(sources.map { $0["name"] as? String } == ["products", "sales", "inventory"])
        #expect(sources.map { $0["role"] as? String } == ["reference", "loaded", "loaded"])
        #expect(sources.map { ($0["rows"] as? [String: Int])?["read"] } == [3, 4, 3])
        #expect(try await rows(home, "SELECT id, sku, category FROM sales ORDER BY id") == [["1", "A", "toys"], ["3", "B", "books"], ["4", "C", "games"]])
        #expect(try await rows(home, "SELECT sku, on_hand FROM inventory ORDER BY sku") == [["A", "12"], ["B", "0"], ["C", "5"]])
        #expect(try await metadata(home, "SELECT rows_read, rows_loaded, rows_quarantined FROM runs") == [["7", "6", "1"]])
        #expect(try await metadata(home, "SELECT step, rows FROM quarantine_batches") == [["sales_quality", "1"]])
        #expect(try await metadata(home, "SELECT source, value FROM watermarks") == [["sales-api", "2026-11-21T04:00:00Z"]])
        // Each table's ledger row carries its own source's sha256: the staged file that source's fetch brought.
        let ledger = try await rows(home, "SELECT table_name, input_sha256 FROM _heal_loads ORDER BY table_name")
        let fetched = try await metadata(home, "SELECT step, sha256 FROM artifacts WHERE step IN ('sales', 'inventory') ORDER BY step")
        #expect(ledger == [["inventory", fetched[0][1]], ["sales", fetched[1][1]]], "\(ledger) \(fetched)")

        // The same night again: no new sales since the watermark, the same inventory snapshot: skipped, nothing twice.
        let again = try await HealProcess.run(["run", "retail", "--date", "2026-11-21", "--json"], home: home)
        #expect(again.status == 0, "\(again.stdout)\(again.stderr)")
        let two = try summary(again.stdout)
        #expect(two["status"] as? String == "skipped")
        // The sales API had nothing new; the inventory was fetched, found already loaded, and went no further.
        let steps = try #require(two["steps"] as? [[String: Any]])
        #expect(steps.map { $0["status"] as? String } == ["passed", "passed", "skipped", "passed", "skipped", "skipped", "skipped", "skipped", "skipped", "skipped"])
        let notes = (two["sources"] as? [[String: Any]])?.map { $0["note"] as? String ?? "" } ?? []
        #expect(notes.count == 3 && notes[0].isEmpty && notes[1].contains("no new records") && notes[2].contains("already loaded from this same input"), "\(notes)")
        #expect(try await rows(home, "SELECT count(*) FROM sales") == [["3"]])
        #expect(try await rows(home, "SELECT count(*) FROM inventory") == [["3"]])

        // Night 2: two new sales; the inventory export renamed a column. Sales load, inventory fails, the run fails;
        // the sales watermark moves (its load committed), the inventory is not in.
        feed.addSale(5, sku: "A", at: "2026-11-22T01:00:00Z")
        feed.addSale(6, sku: "C", at: "2026-11-22T02:00:00Z")
        feed.setInventory([["sku": "A", "qty": 11], ["sku": "B", "qty": 4], ["sku": "C", "qty": 5]])
        let broken = try await HealProcess.run(["run", "retail", "--date", "2026-11-22", "--json"], home: home)
        #expect(broken.status == 1, "\(broken.stdout)\(broken.stderr)")
        #expect((try summary(broken.stdout)["error"] as? String)?.hasPrefix("inventory_schema: schema_mismatch") == true, "\(broken.stdout)")
        #expect(try await rows(home, "SELECT id FROM sales ORDER BY id") == [["1"], ["3"], ["4"], ["5"], ["6"]])
        #expect(try await rows(home, "SELECT count(*) FROM inventory WHERE _heal_date = '2026-11-22'") == [["0"]])
        #expect(try await metadata(home, "SELECT value FROM watermarks WHERE source = 'sales-api'") == [["2026-11-22T02:00:00Z"]])

        // Fixed at the source, night 2 again: sales have nothing new (skipped), the inventory loads; the run's rows are
        // the inventory's alone, and nothing is doubled.
        feed.setInventory([["sku": "A", "on_hand": 11], ["sku": "B", "on_hand": 4], ["sku": "C", "on_hand": 5]])
        let fixed = try await HealProcess.run(["run", "retail", "--date", "2026-11-22", "--json"], home: home)
        #expect(fixed.status == 0, "\(fixed.stdout)\(fixed.stderr)")
        let three = try summary(fixed.stdout)
        #expect(three["status"] as? String == "succeeded")
        #expect(three["rows"] as? [String: Int] == ["read": 3, "loaded": 3, "quarantined": 0, "deduplicated": 0, "updated": 0])
        #expect((three["sources"] as? [[String: Any]])?.map { $0["role"] as? String } == ["reference", "skipped", "loaded"])
        #expect(try await rows(home, "SELECT sku, on_hand FROM inventory WHERE _heal_date = '2026-11-22' ORDER BY sku") == [["A", "11"], ["B", "4"], ["C", "5"]])
        #expect(try await rows(home, "SELECT count(*) FROM sales") == [["5"]])
        #expect(try await rows(home, "SELECT category FROM sales WHERE id IN (5, 6) ORDER BY id") == [["toys"], ["games"]])
        // The quarantined sale, fixed by hand and released, goes through its own source's steps only: enriched from
        // the product table night 1 fetched, loaded once; the inventory steps do not run for it.
        let batch = try #require(try await metadata(home, "SELECT id FROM quarantine_batches").first?[0])
        _ = try await HealProcess.run(["quarantine", "export", batch, "--out", "edit.csv"], home: home)
        try home.write("edit.csv", try home.read("edit.csv").replacingOccurrences(of: ",-5,", with: ",5,"))
        let released = try await HealProcess.run(["quarantine", "release", batch, "--file", "edit.csv", "--json"], home: home)
        #expect(released.status == 0, "\(released.stdout)\(released.stderr)")
        #expect(!released.stdout.contains("inventory"), "\(released.stdout)")
        #expect(try await rows(home, "SELECT id, amount, category FROM sales WHERE id = 2") == [["2", "5", "books"]])
        #expect(try await rows(home, "SELECT count(*) FROM inventory") == [["6"]])

        // Every run balances: read = loaded + quarantined + deduplicated.
        for run in try await metadata(home, "SELECT rows_read, rows_loaded, rows_quarantined, rows_deduplicated, status FROM runs") where run[4] != "failed" {
            #expect(Int(run[0])! == Int(run[1])! + Int(run[2])! + Int(run[3])!, "\(run)")
        }
    }

    @Test func checkNamesMiswiredSources() throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("skills/fetch.yml", "kind: fetch\nsource: a.csv\n")
        try home.write("skills/enrich.yml", "kind: transform\nlookup:\n  file: \"{artifact.prodcts}\"\n  key: sku\n  columns: [category]\n")
        try home.write("skills/load.yml", "kind: load\ntarget: sqlite:w.db\ntable: t\n")
        try home.write("playbooks/p.yml", """
            steps:
              - { name: products, skill: fetch }
              - { name: sales, skill: fetch, input: products }
              - { name: enrich, skill: enrich }
              - { name: load_a, skill: load }
              - { name: load_b, skill: load }
            """)
        let messages = ProjectConfig.load(from: home.healHome).1.map { "\($0.file):\($0.line):\($0.column): \($0.message)" }
        #expect(messages.contains { $0.hasPrefix("playbooks/p.yml:3:5:") && $0.contains("a fetch starts a source of its own") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("playbooks/p.yml:4:5:") && $0.contains("{artifact.prodcts}") && $0.contains("did you mean 'products'?") }, "\(messages)")
        #expect(messages.contains { $0.hasPrefix("playbooks/p.yml:6:5:") && $0.contains("step 'load_a' already loads t") }, "\(messages)")

        try home.write("playbooks/p.yml", "steps:\n  - { name: enrich, skill: enrich, input: products }\n  - { name: products, skill: fetch }\n")
        let later = ProjectConfig.load(from: home.healHome).1
        #expect(later.count == 1 && later[0].line == 2 && later[0].message.contains("input 'products' is not an earlier step"), "\(later)")
    }
}
