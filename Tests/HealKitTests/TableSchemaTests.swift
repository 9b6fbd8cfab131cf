import Foundation
import HealKit
import HealTesting
import Testing

/// Tables the contract defines, on both warehouses: typed columns, the schema policy of the load skill, heal table
/// describe and migrate, and computed columns typed before a run.
@Suite("Tables: typed columns, schema evolution, migrations", .serialized, .timeLimit(.minutes(8)))
struct TableSchemaTests {
    func run(_ home: TestHome, _ warehouse: TestWarehouse, _ arguments: [String]) async throws -> (HealProcess.Result, [String: Any]) {
        let result = try await HealProcess.run(arguments + ["--json"], home: home, environment: warehouse.environment)
        let json = (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8))) as? [String: Any] ?? [:]
        return (result, json)
    }

    func loadDetails(_ summary: [String: Any]) -> String {
        let steps = summary["steps"] as? [[String: Any]] ?? []
        let load = steps.first { $0["name"] as? String == "load" }
        return ((load?["attempts"] as? [[String: Any]]) ?? []).compactMap { $0["details"] as? String }.joined(separator: " | ")
    }

    func metadata(_ home: TestHome, _ sql: String) async throws -> [[String]] {
        try await TestWarehouse.sqlite(home, file: "metadata.db").rows(sql)
    }

    /// The declared types of a table's columns: information_schema on PostgreSQL, the declarations on SQLite.
    func columnTypes(_ warehouse: TestWarehouse, _ table: String) async throws -> [String: String] {
        let rows: [[String]]
        switch warehouse.kind {
        case .sqlite: rows = try await warehouse.rows("SELECT name, type FROM pragma_table_info('\(table)')")
        case .postgres: rows = try await warehouse.rows("SELECT column_name, data_type FROM information_schema.columns WHERE table_name = '\(table)'")
        }
        return Dictionary(rows.map { ($0[0], $0[1]) }, uniquingKeysWith: { a, _ in a })
    }

    /// The shipped example in the README's order, then a backfill of a day before the promo_code drift day and a
    /// release of a quarantined day: every one loads, where one extra column used to brick the table.
    @Test(arguments: TestWarehouse.Kind.allCases)
    func theExampleKeepsLoadingAfterTheDriftDay(_ kind: TestWarehouse.Kind) async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let warehouse = try await TestWarehouse.make(kind, for: home)
        let days: [([String], String)] = [
            (["2026-11-19"], "partial"), (["2026-11-19"], "skipped"), (["2026-11-19", "--force"], "partial"),
            (["2026-11-17"], "healed"), (["2026-11-22"], "healed"), (["2026-11-18", "--force"], "succeeded"), (["2026-11-20"], "healed"),
        ]
        var summaries: [[String: Any]] = []
        for (arguments, status) in days {
            let (result, summary) = try await run(home, warehouse, ["run", "sales-daily", "--date"] + arguments)
            #expect(summary["status"] as? String == status, "\(arguments): \(result.stdout.suffix(600))\(result.stderr.suffix(600))")
            summaries.append(summary)
        }
        // The drift day's promo_code is outside the contract: reported, not loaded, and not a column of the table.
        #expect(loadDetails(summaries[4]).contains("not loaded (outside the contract, new_columns: ignore): promo_code"), "\(loadDetails(summaries[4]))")
        let types = try await columnTypes(warehouse, "sales")
        #expect(types["promo_code"] == nil)
        switch kind {
        case .sqlite:
            #expect(types["date"] == "DATE" && types["amount"] == "NUMERIC" && types["quantity"] == "INTEGER" && types["tax_amount"] == "NUMERIC", "\(types)")
        case .postgres:
            #expect(types["date"] == "date" && types["amount"] == "numeric" && types["quantity"] == "bigint" && types["tax_amount"] == "numeric", "\(types)")
            #expect(types["sale_id"] == "text" && types["category"] == "text", "\(types)")
        }
        // The same values read back from either warehouse: ISO dates, exact decimals.
        let row = try await warehouse.rows("SELECT date, amount, quantity, tax_amount FROM sales WHERE sale_id = 'S20261118-000000001'")
        #expect(row == [["2026-10-24", "140.38", "7", "11.23"]], "\(row)")
        #expect(try await warehouse.count("SELECT count(*) FROM sales WHERE _heal_date = '2026-11-18'") == 500)

        // The quarantined bad dates of 2026-11-19, fixed in an export and released: loaded after the drift day.
        let batches = try await metadata(home, "SELECT id FROM quarantine_batches WHERE logical_date = '2026-11-19' AND step = 'schema' AND status = 'open'")
        let batch = try #require(batches.first?.first)
        let export = try await HealProcess.run(["quarantine", "export", batch], home: home, environment: warehouse.environment)
        var lines = export.stdout.split(separator: "\n").map(String.init)
        let header = lines[0].split(separator: ",").map(String.init)
        let dateIndex = try #require(header.firstIndex(of: "date"))
        for i in 1..<lines.count {
            var fields = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[dateIndex] = "2026-11-19"
            lines[i] = fields.joined(separator: ",")
        }
        try home.write("fix.csv", lines.joined(separator: "\n") + "\n")
        let (released, release) = try await run(home, warehouse, ["quarantine", "release", batch, "--file", home.url("fix.csv").path])
        #expect(released.status == 0 && (release["loaded"] as? Int) == 3, "\(released.stdout)\(released.stderr)")
        #expect(try await warehouse.count("SELECT count(*) FROM sales WHERE _heal_date = '2026-11-19'") == 492)
    }

    /// A small pipeline whose load skill carries the policy under test.
    func home(_ kind: TestWarehouse.Kind, policy: String) async throws -> (TestHome, TestWarehouse) {
        let home = try TestHome()
        try home.write("playbooks/items.yml", """
            steps:
              - { name: fetch, skill: fetch }
              - { name: schema, skill: contract }
              - { name: load, skill: load }
            """)
        try home.write("skills/fetch.yml", "kind: fetch\nsource: landing/items_{date:yyyyMMdd}.csv\n")
        try home.write("skills/contract.yml", """
            kind: validate_schema
            columns:
              - { name: id, type: integer }
              - { name: price, type: decimal, scale: 2 }
              - { name: sold_on, type: date, formats: [dd.MM.yyyy] }
              - { name: note, type: string, required: false }
            """)
        try home.write("skills/load.yml", "kind: load\ntarget: sqlite:warehouse.db\ntable: items\nkey: [id]\n\(policy)\n")
        return (home, try await TestWarehouse.make(kind, for: home))
    }

    func setPolicy(_ home: TestHome, _ warehouse: TestWarehouse, _ policy: String) throws {
        try home.write("skills/load.yml", "kind: load\ntarget: sqlite:warehouse.db\ntable: items\nkey: [id]\n\(policy)\n")
        try warehouse.retarget()
    }

    @Test(arguments: TestWarehouse.Kind.allCases)
    func eachPolicyValueHasItsEffect(_ kind: TestWarehouse.Kind) async throws {
        let (home, warehouse) = try await home(kind, policy: "")
        defer { home.remove() }
        // Day 1, default policy: the extra column is left out and reported; the optional note lacking is NULL.
        try home.write("landing/items_20261101.csv", "id,price,sold_on,batch\n1,12.50,01.11.2026,7\n2,0.10,01.11.2026,8\n")
        let (_, one) = try await run(home, warehouse, ["run", "items", "--date", "2026-11-01"])
        #expect(one["status"] as? String == "succeeded", "\(one)")
        #expect(loadDetails(one).contains("not loaded (outside the contract, new_columns: ignore): batch"), "\(loadDetails(one))")
        #expect(try await warehouse.rows("SELECT id, price, sold_on, note FROM items ORDER BY id") == [["1", "12.5", "2026-11-01", "NULL"], ["2", "0.1", "2026-11-01", "NULL"]])
        #expect(try await columnTypes(warehouse, "items")["batch"] == nil)

        // missing_columns: fail refuses a file without the optional note; nothing loaded.
        try setPolicy(home, warehouse, "missing_columns: fail")
        try home.write("landing/items_20261102.csv", "id,price,sold_on,batch\n3,3.00,02.11.2026,9\n")
        let (_, two) = try await run(home, warehouse, ["run", "items", "--date", "2026-11-02"])
        #expect(two["status"] as? String == "failed")
        #expect((two["error"] as? String ?? "").contains("the file has no note, optional in the contract (missing_columns: fail in skills/load.yml)"), "\(two)")

        // new_columns: fail refuses the extra column before writing.
        try setPolicy(home, warehouse, "new_columns: fail")
        let (_, refused) = try await run(home, warehouse, ["run", "items", "--date", "2026-11-02"])
        #expect((refused["error"] as? String ?? "").contains("the file has column batch outside the contract (new_columns: fail in skills/load.yml)"), "\(refused)")
        #expect(try await warehouse.count("SELECT count(*) FROM items") == 2)

        // new_columns: evolve adds it, typed from its values, and records the schema change.
        try setPolicy(home, warehouse, "new_columns: evolve")
        let (_, evolved) = try await run(home, warehouse, ["run", "items", "--date", "2026-11-02"])
        #expect(evolved["status"] as? String == "succeeded", "\(evolved)")
        let batchType = try await columnTypes(warehouse, "items")["batch"]
        #expect(batchType == (kind == .sqlite ? "INTEGER" : "bigint"), "\(String(describing: batchType))")
        #expect(loadDetails(evolved).contains("schema change: added batch \(kind == .sqlite ? "INTEGER" : "bigint") (from the file, not in the contract)"), "\(loadDetails(evolved))")
        let runID = evolved["run_id"] as? String ?? ""
        #expect(try await metadata(home, "SELECT change, column_name, to_type FROM schema_changes WHERE run_id = '\(runID)'") == [["added", "batch", kind == .sqlite ? "INTEGER" : "bigint"]])
        let show = try await HealProcess.run(["runs", "show", runID], home: home, environment: warehouse.environment)
        #expect(show.stdout.contains("schema changes:\n  items in "), "\(show.stdout)")

        // A text value in the now-integer column: type_changes: fail names the command that fixes it …
        try home.write("landing/items_20261103.csv", "id,price,sold_on,batch\n4,4.00,03.11.2026,B-12\n")
        let (_, typed) = try await run(home, warehouse, ["run", "items", "--date", "2026-11-03"])
        let error = typed["error"] as? String ?? ""
        #expect(error.contains("items.batch is \(kind == .sqlite ? "INTEGER" : "bigint") but the data's batch (from the file, not in the contract) is string"), "\(error)")
        #expect(error.contains("heal table migrate items --retype COLUMN") && error.contains("type_changes: widen"), "\(error)")
        // … and type_changes: widen retypes the column in the load's transaction, keeping every earlier value.
        try setPolicy(home, warehouse, "new_columns: evolve\ntype_changes: widen")
        let (_, widened) = try await run(home, warehouse, ["run", "items", "--date", "2026-11-03"])
        #expect(widened["status"] as? String == "succeeded", "\(widened)")
        #expect(try await columnTypes(warehouse, "items")["batch"] == (kind == .sqlite ? "TEXT" : "text"))
        #expect(try await warehouse.rows("SELECT id, batch FROM items ORDER BY id") == [["1", "NULL"], ["2", "NULL"], ["3", "9"], ["4", "B-12"]])
        #expect(loadDetails(widened).contains("schema change: widened batch"), "\(loadDetails(widened))")

        // A price with more digits than the contract's scale is refused by the contract, never rounded.
        try home.write("landing/items_20261104.csv", "id,price,sold_on\n5,1.005,04.11.2026\n6,2.00,04.11.2026\n")
        let (_, scaled) = try await run(home, warehouse, ["run", "items", "--date", "2026-11-04"])
        #expect(scaled["status"] as? String == "failed")
        #expect(try await warehouse.count("SELECT count(*) FROM items WHERE id = 5") == 0)

        // The weekly report lists what changed the table.
        let report = try await HealProcess.run(["report", "weekly", "--since", "2026-11-01"], home: home, environment: warehouse.environment)
        #expect(report.stdout.contains("## Schema changes") && report.stdout.contains("added batch") && report.stdout.contains("widened batch"), "\(report.stdout.suffix(1500))\(report.stderr)")
    }

    /// Decimals land exactly: PostgreSQL keeps every digit; SQLite keeps 15 and refuses more rather than round.
    @Test(arguments: TestWarehouse.Kind.allCases)
    func decimalsAreExactOrRefused(_ kind: TestWarehouse.Kind) async throws {
        let (home, warehouse) = try await home(kind, policy: "")
        defer { home.remove() }
        try home.write("skills/contract.yml", try home.read("skills/contract.yml").replacingOccurrences(of: "{ name: price, type: decimal, scale: 2 }", with: "{ name: price, type: decimal }"))
        try home.write("landing/items_20261101.csv", "id,price,sold_on\n1,0.10,01.11.2026\n2,12345678901.123456,01.11.2026\n3,+5.,01.11.2026\n")
        let (result, summary) = try await run(home, warehouse, ["run", "items", "--date", "2026-11-01"])
        switch kind {
        case .postgres:
            #expect(summary["status"] as? String == "succeeded", "\(result.stdout)\(result.stderr)")
            #expect(try await warehouse.rows("SELECT id, price FROM items ORDER BY id") == [["1", "0.1"], ["2", "12345678901.123456"], ["3", "5"]])
            #expect(try await warehouse.count("SELECT count(*) FROM items WHERE price * 10 = 1") == 1)
        case .sqlite:
            #expect(summary["status"] as? String == "failed")
            #expect((summary["error"] as? String ?? "").contains("source line 3: price '12345678901.123456' has 17 significant digits; SQLite keeps 15 exactly"), "\(summary)")
            // The table's creation was in the load's transaction too.
            let created = try await warehouse.hasTable("items")
            #expect(!created)
            try home.write("landing/items_20261101.csv", "id,price,sold_on\n1,0.10,01.11.2026\n2,1234567890.12345,01.11.2026\n3,+5.,01.11.2026\n")
            #expect(try await run(home, warehouse, ["run", "items", "--date", "2026-11-01"]).1["status"] as? String == "succeeded")
            #expect(try await warehouse.rows("SELECT id, price, typeof(price) FROM items ORDER BY id") == [["1", "0.1", "real"], ["2", "1234567890.12345", "real"], ["3", "5", "integer"]])
        }
    }

    @Test(arguments: TestWarehouse.Kind.allCases)
    func aRetypeAndADropThroughHealTableMigrate(_ kind: TestWarehouse.Kind) async throws {
        let (home, warehouse) = try await home(kind, policy: "new_columns: evolve")
        defer { home.remove() }
        let contract = try home.read("skills/contract.yml")
        try home.write("skills/contract.yml", contract + "\n  - { name: code, type: string, required: false }\n")
        try home.write("landing/items_20261101.csv", "id,price,sold_on,code,batch\n1,12.50,01.11.2026,42,x1\n2,3.00,01.11.2026,17,x2\n")
        #expect(try await run(home, warehouse, ["run", "items", "--date", "2026-11-01"]).1["status"] as? String == "succeeded")
        let text = kind == .sqlite ? "TEXT" : "text", integer = kind == .sqlite ? "INTEGER" : "bigint"
        #expect(try await columnTypes(warehouse, "items")["code"] == text)
        // The contract formalises code as an integer: the table still holds it as text, and says how to tighten it.
        try home.write("skills/contract.yml", contract + "\n  - { name: code, type: integer, required: false }\n")
        let describe = try await HealProcess.run(["table", "describe", "items"], home: home, environment: warehouse.environment)
        #expect(describe.status == 0, "\(describe.stderr)")
        #expect(describe.stdout.contains("`heal table migrate items --retype code` makes it \(integer)"), "\(describe.stdout)")
        #expect(describe.stdout.contains("batch: outside the contract"), "\(describe.stdout)")
        // Meanwhile loads go on: integers fit a text column.
        try home.write("landing/items_20261102.csv", "id,price,sold_on,code\n3,1.00,02.11.2026,7\n")
        #expect(try await run(home, warehouse, ["run", "items", "--date", "2026-11-02"]).1["status"] as? String == "succeeded")

        // A checked cast refuses values that do not fit, changing nothing.
        let refused = try await HealProcess.run(["table", "migrate", "items", "--retype", "batch:integer"], home: home, environment: warehouse.environment)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("2 stored values of items.batch are not an integer (e.g. "), "\(refused.stderr)")
        #expect(try await columnTypes(warehouse, "items")["batch"] == text)
        // With no options, migrate follows the contract: code becomes an integer column on every row.
        let retyped = try await HealProcess.run(["table", "migrate", "items"], home: home, environment: warehouse.environment)
        #expect(retyped.status == 0 && retyped.stdout.contains("items: retyped code \(text) → \(integer)"), "\(retyped.stdout)\(retyped.stderr)")
        #expect(try await columnTypes(warehouse, "items")["code"] == integer)
        #expect(try await warehouse.rows("SELECT id, code FROM items ORDER BY id") == [["1", "42"], ["2", "17"], ["3", "7"]])
        #expect(try await warehouse.count("SELECT count(*) FROM items WHERE code > 10") == 2)
        // A drop of a column heal added; a contract column is refused.
        let keyDrop = try await HealProcess.run(["table", "migrate", "items", "--drop", "id"], home: home, environment: warehouse.environment)
        #expect(keyDrop.status == 1 && keyDrop.stderr.contains("is a column of the contract"), "\(keyDrop.stderr)")
        let dropped = try await HealProcess.run(["table", "migrate", "items", "--drop", "batch"], home: home, environment: warehouse.environment)
        #expect(dropped.status == 0, "\(dropped.stderr)")
        #expect(try await columnTypes(warehouse, "items")["batch"] == nil)
        #expect(try await warehouse.count("SELECT count(*) FROM items") == 3)
        #expect(try await metadata(home, "SELECT change, column_name, from_type, to_type FROM schema_changes WHERE run_id IS NULL ORDER BY id")
                == [["retyped", "code", text, integer], ["dropped", "batch", text, "NULL"]])
        // The next day loads into the migrated table, and a forced re-run of the first day too.
        try home.write("landing/items_20261103.csv", "id,price,sold_on,code,batch\n4,2.00,03.11.2026,5,x4\n")
        #expect(try await run(home, warehouse, ["run", "items", "--date", "2026-11-03"]).1["status"] as? String == "succeeded")
        #expect(try await run(home, warehouse, ["run", "items", "--date", "2026-11-01", "--force"]).1["status"] as? String == "succeeded")
        #expect(try await warehouse.rows("SELECT id, code FROM items ORDER BY id") == [["1", "42"], ["2", "17"], ["3", "7"], ["4", "5"]])
    }

    /// A trip's duration as a computed column: the subtraction is refused at heal check with its position; date_diff
    /// computes it, and timestamps land typed (an offset converted to UTC).
    @Test(arguments: TestWarehouse.Kind.allCases)
    func timestampArithmeticIsTypedAndCorrect(_ kind: TestWarehouse.Kind) async throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("playbooks/trips.yml", """
            steps:
              - { name: fetch, skill: fetch }
              - { name: schema, skill: contract }
              - { name: transform, skill: transform }
              - { name: load, skill: load }
            """)
        try home.write("skills/fetch.yml", "kind: fetch\nsource: landing/trips_{date:yyyyMMdd}.csv\n")
        try home.write("skills/contract.yml", """
            kind: validate_schema
            columns:
              - { name: trip_id, type: integer }
              - { name: pickup_at, type: timestamp, formats: ["yyyy-MM-dd HH:mm:ss"] }
              - { name: dropoff_at, type: timestamp, formats: ["yyyy-MM-dd HH:mm:ss"] }
              - { name: paid_at, type: timestamp }
              - { name: fare, type: decimal }
            """)
        try home.write("skills/transform.yml", """
            kind: transform
            computed:
              - { name: minutes, expr: "(dropoff_at - pickup_at) / 60", type: decimal }
            """)
        try home.write("skills/load.yml", "kind: load\ntarget: sqlite:warehouse.db\ntable: trips\nkey: [trip_id]\n")
        let warehouse = try await TestWarehouse.make(kind, for: home)
        try home.write("landing/trips_20261101.csv", """
            trip_id,pickup_at,dropoff_at,paid_at,fare
            1,2026-11-01 10:00:00,2026-11-01 10:17:30,2026-11-01T10:18:00+01:00,12.50
            2,2026-11-01 23:50:00,2026-11-02 00:20:00,2026-11-02T00:21:00Z,30.00

            """)
        let check = try await HealProcess.run(["check"], home: home, environment: warehouse.environment)
        #expect(check.status == 2)
        #expect(check.stderr.contains("skills/transform.yml:3:41: computed column 'minutes': cannot subtract a timestamp (pickup_at) from a timestamp (dropoff_at)"), "\(check.stderr)")
        #expect(check.stderr.contains("date_diff('minute', pickup_at, dropoff_at)"))
        let refused = try await HealProcess.run(["run", "trips", "--date", "2026-11-01"], home: home, environment: warehouse.environment)
        #expect(refused.status == 2)
        let created = try await warehouse.hasTable("trips")
        #expect(!created)

        try home.write("skills/transform.yml", """
            kind: transform
            computed:
              - { name: minutes, expr: "date_diff('minute', pickup_at, dropoff_at)", type: integer }
              - { name: seconds, expr: "date_diff('second', pickup_at, dropoff_at)", type: integer }
              - { name: next_day, expr: "date_add('day', 1, pickup_at)", type: timestamp }
            """)
        let (result, summary) = try await run(home, warehouse, ["run", "trips", "--date", "2026-11-01"])
        #expect(summary["status"] as? String == "succeeded", "\(result.stdout)\(result.stderr)")
        #expect(try await warehouse.rows("SELECT trip_id, minutes, seconds, pickup_at, paid_at, next_day, fare FROM trips ORDER BY trip_id") == [
            ["1", "17", "1050", "2026-11-01 10:00:00", "2026-11-01 09:18:00Z", "2026-11-02 10:00:00", "12.5"],
            ["2", "30", "1800", "2026-11-01 23:50:00", "2026-11-02 00:21:00Z", "2026-11-02 23:50:00", "30"],
        ])
        let types = try await columnTypes(warehouse, "trips")
        switch kind {
        case .sqlite: #expect(types["pickup_at"] == "TIMESTAMP" && types["paid_at"] == "TIMESTAMPTZ" && types["minutes"] == "INTEGER", "\(types)")
        case .postgres:
            #expect(types["pickup_at"] == "timestamp without time zone" && types["paid_at"] == "timestamp with time zone" && types["minutes"] == "bigint", "\(types)")
        }

        // A computed value the inputs do not explain (a division by zero) fails the transform; nothing is loaded.
        try home.write("skills/transform.yml", """
            kind: transform
            computed:
              - { name: per_minute, expr: "fare / date_diff('hour', pickup_at, dropoff_at)", type: decimal }
            """)
        let (_, nulls) = try await run(home, warehouse, ["run", "trips", "--date", "2026-11-01", "--force"])
        #expect(nulls["status"] as? String == "failed")
        #expect((nulls["error"] as? String ?? "").contains("computed column per_minute = "), "\(nulls)")
        #expect((nulls["error"] as? String ?? "").contains("came out NULL on 2 rows whose inputs all had values"), "\(nulls)")
        #expect(try await warehouse.count("SELECT count(*) FROM trips") == 2)
    }
}
