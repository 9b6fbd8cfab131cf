import Foundation
import HealKit
import HealTesting
import Testing

/// Issue 14's drift corpus: the example's clean day and drifted copies of it — formats, locales, exports,
/// abbreviations, file-format changes, mixed formats, alone and combined. Each runs through the built `heal` with
/// no model and must load exactly the clean day's rows and values; the refused ones must load nothing and alert.
@Suite("Drift corpus", .serialized, .timeLimit(.minutes(10)))
struct DriftCorpusTests {
    static let day = "2026-11-18"
    static let file = "examples/landing/sales_20261118.csv"
    static let columns = "sale_id, date, amount, product_id, customer_id, quantity, store, channel, category, region, tax_amount"

    /// The clean day's records (header first), read with heal's own reader.
    static func clean() throws -> [[String]] {
        let reader = try CSVReader(url: TestHome.repository.appendingPathComponent(file))
        var rows = [reader.header]
        while let record = try reader.next() { rows.append(record.fields) }
        return rows
    }

    /// One drifted copy: its name, how its file is written, and what the run must do.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        /// The day it is a copy of: the clean day, or the clean day with amounts over 1,000 (to show thousands).
        var base = Base.clean
        var refused = false
        var quarantined = 0
        /// Words the run's output must hold (a reason, a reading).
        var says: String?
        var bytes: @Sendable ([[String]]) throws -> [UInt8]
        var description: String { name }
    }

    enum Base: Sendable { case clean, large }

    /// The clean day with every amount times 20 (2,807.60 for 140.38): still in the quality rule's range.
    static func large(_ rows: [[String]]) -> [[String]] {
        mapColumn(rows, 2) { v, _ in
            let cents = Int(v.replacingOccurrences(of: ".", with: ""))! * 20
            return String(format: "%d.%02d", cents / 100, cents % 100)
        }
    }

    static func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-c"]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(bytes))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Array(data)
    }

    static func csv(_ rows: [[String]], delimiter: String = ",", newline: String = "\n") -> String {
        rows.map { row in
            row.map { field in
                field.contains(delimiter) || field.contains("\"") || field.contains("\n")
                    ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
            }.joined(separator: delimiter)
        }.joined(separator: newline) + newline
    }

    static func text(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Applies `change` to one column's values (the header keeps its name).
    static func mapColumn(_ rows: [[String]], _ index: Int, _ change: (String, Int) -> String) -> [[String]] {
        var out = rows
        for r in 1..<out.count where !out[r][index].isEmpty { out[r][index] = change(out[r][index], r) }
        return out
    }

    static func date(_ text: String) -> CalendarDate {
        CalendarDate.parse(text, formats: [.iso, DateFormat("MM/dd/yyyy")!])!
    }

    static func redate(_ rows: [[String]], _ pattern: String, only: ((Int) -> Bool)? = nil) -> [[String]] {
        mapColumn(rows, 1) { value, r in only?(r) == false ? value : date(value).format(DateFormat(pattern)!) }
    }

    static func renamed(_ rows: [[String]], _ header: [String]) -> [[String]] { [header] + rows.dropFirst() }

    static func money(_ value: String, decimal: String, thousands: String) -> String {
        let parts = value.split(separator: ".").map(String.init)
        var whole = parts[0], grouped = ""
        while whole.count > 3 { grouped = thousands + whole.suffix(3) + grouped; whole = String(whole.dropLast(3)) }
        return whole + grouped + (parts.count > 1 ? decimal + parts[1] : "")
    }

    static func json(_ rows: [[String]], lines: Bool) -> String {
        let header = rows[0]
        let objects = rows.dropFirst().map { row -> String in
            let data = try! JSONSerialization.data(withJSONObject: Dictionary(uniqueKeysWithValues: zip(header, row)), options: [.sortedKeys])
            return String(decoding: data, as: UTF8.self)
        }
        return lines ? objects.joined(separator: "\n") + "\n" : "[\n" + objects.joined(separator: ",\n") + "\n]\n"
    }

    static let healed: [Case] = [
        // Formats
        Case(name: "dates day-first with dots") { text(csv(redate($0, "dd.MM.yyyy"))) },
        Case(name: "dates with month abbreviations") { text(csv(redate($0, "d MMM yyyy"))) },
        Case(name: "dates month name first, comma") { text(csv(redate($0, "MMMM d, yyyy"))) },
        Case(name: "dates as ISO date-times with offsets") { text(csv(mapColumn($0, 1) { v, r in "\(date(v))T\(String(format: "%02d", r % 24)):15:00+01:00" })) },
        Case(name: "dates day-first with slashes and dashes") { text(csv(redate($0, "dd-MM-yyyy"))) },
        Case(name: "amounts with a currency symbol") { text(csv(mapColumn($0, 2) { v, _ in "$" + v })) },
        Case(name: "amounts with a currency code before or after") { text(csv(mapColumn($0, 2) { v, r in r % 7 == 0 ? "USD \(v)" : "\(v) USD" })) },
        Case(name: "signed numbers") { text(csv(mapColumn(mapColumn($0, 5) { v, _ in "+" + v }, 2) { v, _ in "+" + v })) },
        Case(name: "quantities padded with spaces") { text(csv(mapColumn($0, 5) { v, _ in " \(v) " })) },
        // Locales
        Case(name: "semicolons and decimal commas") { text(csv(mapColumn($0, 2) { v, _ in v.replacingOccurrences(of: ".", with: ",") }, delimiter: ";")) },
        Case(name: "German export: dots, commas, euro") {
            text(csv(mapColumn(redate($0, "dd.MM.yyyy"), 2) { v, _ in money(v, decimal: ",", thousands: ".") + " €" }, delimiter: ";"))
        },
        Case(name: "tab separated") { text(csv($0, delimiter: "\t")) },
        Case(name: "pipe separated") { text(csv($0, delimiter: "|")) },
        // Exports
        Case(name: "title lines and a blank line above the header") { text("Sales export\nStore network, all regions\n\n" + csv($0)) },
        Case(name: "blank lines between rows") { rows in
            text(csv(rows).split(separator: "\n").enumerated().map { $0.offset % 50 == 10 ? "\($0.element)\n" : String($0.element) }.joined(separator: "\n") + "\n")
        },
        Case(name: "empty fields past the last column") { text(csv($0.map { $0 + ["", ""] })) },
        Case(name: "a TOTAL row at the end", quarantined: 1, says: "summary_row: 1") { rows in
            text(csv(rows + [["TOTAL", "", "123456.78", "", "", "", "", ""]]))
        },
        Case(name: "CRLF and a byte-order mark") { [0xEF, 0xBB, 0xBF] + text(csv($0, newline: "\r\n")) },
        // File-format changes
        Case(name: "JSON Lines under the CSV's name") { text(json($0, lines: true)) },
        Case(name: "a JSON array under the CSV's name") { text(json($0, lines: false)) },
        Case(name: "gzip under the CSV's name") { try gzip(text(csv($0))) },
        // Thousands separators, on the day with amounts over 1,000
        Case(name: "amounts with thousands commas and dollars", base: .large, says: "read as thousands_comma+currency") {
            text(csv(mapColumn($0, 2) { v, _ in "$" + money(v, decimal: ".", thousands: ",") }))
        },
        Case(name: "amounts with thousands spaces and decimal commas", base: .large) {
            text(csv(mapColumn($0, 2) { v, r in money(v, decimal: ",", thousands: r % 2 == 0 ? " " : "\u{00A0}") }, delimiter: ";"))
        },
        Case(name: "amounts with apostrophes, as Swiss exports write them", base: .large) {
            text(csv(mapColumn($0, 2) { v, _ in money(v, decimal: ".", thousands: "'") }))
        },
        Case(name: "amounts with thousands dots, decimal commas and euros", base: .large) {
            text(csv(mapColumn(redate($0, "dd.MM.yyyy"), 2) { v, _ in money(v, decimal: ",", thousands: ".") + " €" }, delimiter: ";"))
        },
        // Abbreviations and synonyms
        Case(name: "abbreviated names") { text(csv(renamed($0, ["transaction_id", "sale_dt", "amt_total", "sku", "client_id", "Qty", "store", "channel"]))) },
        Case(name: "CamelCase names") { text(csv(renamed($0, ["SaleID", "SaleDate", "Amount", "ProductID", "CustomerID", "Quantity", "Store", "Channel"]))) },
        Case(name: "spaced names with words gained") { text(csv(renamed($0, ["Sale No", "Order Date", "Amount (USD)", "Product Code", "Cust #", "Units", "Store Name", "Sales Channel"]))) },
        Case(name: "names lost a word") { text(csv(renamed($0, ["sale", "date", "amount", "product", "customer", "qty", "store", "channel"]))) },
        // Combined and mixed
        Case(name: "renamed, day-first, semicolons, decimal commas") {
            text(csv(renamed(mapColumn(redate($0, "dd.MM.yyyy"), 2) { v, _ in v.replacingOccurrences(of: ".", with: ",") },
                             ["Order No", "Order Date", "Amt", "Item", "Client", "Qty", "Shop", "Channel"]), delimiter: ";"))
        },
        Case(name: "half the day switched to day-first") { text(csv(redate($0, "dd.MM.yyyy", only: { $0 > 250 }))) },
        Case(name: "day-first with 2 % still in the contract's format") { text(csv(redate($0, "dd/MM/yyyy", only: { $0 % 50 != 0 }))) },
        Case(name: "a title block, currency amounts and abbreviations") {
            text("Daily sales\n\n" + csv(renamed(mapColumn($0, 2) { v, _ in "$" + v }, ["txn_id", "date", "amt", "sku", "cust_id", "qty", "store", "channel"])))
        },
    ]

    static let refused: [Case] = [
        Case(name: "ambiguous day and month", refused: true) { rows in
            text(csv(mapColumn(rows, 1) { _, r in String(format: "%02d-%02d-2026", r % 12 + 1, (r / 12) % 12 + 1) }))
        },
        Case(name: "1,234 as thousands or a decimal", refused: true) { text(csv(mapColumn($0, 2) { _, r in "\(r % 9 + 1),\(String(format: "%03d", r % 1000))" })) },
        Case(name: "two names close for one column", refused: true) { rows in
            text(csv([["sale_id", "date", "amount_gross", "amount_net", "product_id", "customer_id", "quantity", "store", "channel"]]
                     + rows.dropFirst().map { [$0[0], $0[1], $0[2], $0[2], $0[3], $0[4], $0[5], $0[6], $0[7]] }))
        },
        Case(name: "SQL in a header", refused: true) { text(csv(renamed($0, ["sale_id", "date", "amount\"; DROP TABLE sales; --", "product_id", "customer_id", "quantity", "store", "channel"]))) },
        Case(name: "a header and no rows", refused: true) { text(csv([$0[0]])) },
        Case(name: "garbage bytes", refused: true) { _ in (0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 7) } },
    ]

    /// The run's outcome and the table's rows, from a fresh example home with the day's file replaced.
    static func run(_ bytes: [UInt8]) async throws -> (status: Int32, output: String, rows: [[String]]?, alerts: Int) {
        let home = try TestHome.example()
        defer { home.remove() }
        try Data(bytes).write(to: home.url(file))
        let result = try await HealProcess.run(["run", "sales-daily", "--date", day], home: home, environment: ["ANTHROPIC_API_KEY": ""])
        let warehouse = TestWarehouse.sqlite(home, file: "warehouse.db")
        let rows = try await warehouse.hasTable("sales") ? try await warehouse.rows("SELECT \(columns) FROM sales ORDER BY sale_id") : nil
        let alerts = (try? home.read("alerts/alerts.jsonl"))?.split(separator: "\n").count ?? 0
        return (result.status, result.stdout + result.stderr, rows, alerts)
    }

    @Test func everyDriftedCopyLoadsTheCleanDayAndTheRefusedLoadNothing() async throws {
        let clean = try Self.clean()
        var baselines: [Base: [[String]]] = [:]
        for (base, rows) in [(Base.clean, clean), (.large, Self.large(clean))] {
            let expected = try await Self.run(Self.text(Self.csv(rows)))
            #expect(expected.status == 0, "\(expected.output)")
            baselines[base] = expected.rows
            #expect(baselines[base]?.count == 500)
        }
        #expect(baselines[.clean] != baselines[.large])
        var healed = 0, refused = 0
        let all = Self.healed + Self.refused
        // Two at a time: each case is a run of the binary in a home of its own.
        for pair in stride(from: 0, to: all.count, by: 2) {
            let cases = Array(all[pair..<min(pair + 2, all.count)])
            try await withThrowingTaskGroup(of: (Case, (status: Int32, output: String, rows: [[String]]?, alerts: Int)).self) { group in
                for c in cases {
                    let rows = c.base == .clean ? clean : Self.large(clean)
                    group.addTask { (c, try await Self.run(try c.bytes(rows))) }
                }
                for try await (c, outcome) in group {
                    if let says = c.says { #expect(outcome.output.contains(says), "\(c): \(outcome.output)") }
                    if c.refused {
                        #expect(outcome.status == 1, "\(c): \(outcome.output)")
                        #expect((outcome.rows ?? []).isEmpty, "\(c) loaded rows")
                        #expect(outcome.alerts >= 1, "\(c) raised no alert")
                        if outcome.status == 1 && (outcome.rows ?? []).isEmpty { refused += 1 }
                    } else {
                        let baseline = baselines[c.base]
                        #expect(outcome.status == 0, "\(c): \(outcome.output)")
                        #expect(outcome.rows == baseline, "\(c): the table differs from the clean day's\n\(outcome.output)")
                        if c.quarantined > 0 { #expect(outcome.output.contains("quarantined \(c.quarantined)"), "\(c): \(outcome.output)") }
                        if outcome.rows == baseline { healed += 1 }
                    }
                }
            }
        }
        #expect(healed == Self.healed.count && Self.healed.count >= 20)
        #expect(refused == Self.refused.count && Self.refused.count >= 5)
    }
}
