import Foundation
import HealKit
import HealTesting
import Testing

/// `heal init`: the example from an installed binary, and a pipeline drafted from a user's file (issue 17, item 2).
@Suite("heal init: the example and a drafted pipeline", .serialized, .timeLimit(.minutes(3)))
struct InitTests {
    func warehouse(_ home: TestHome, _ sql: String) async throws -> [[String]] {
        try await TestWarehouse.sqlite(home, file: "warehouse.db").rows(sql)
    }

    /// The example the binary writes is the repository's, byte for byte, and it runs; a second init overwrites
    /// nothing (a user's edit survives) unless --force.
    @Test func theExampleIsTheShippedOneAndItRuns() async throws {
        let parent = try TestHome()
        defer { parent.remove() }
        let made = try await HealProcess.run(["init", "my-home"], home: parent)
        #expect(made.status == 0, "\(made.stdout)\(made.stderr)")
        #expect(made.stdout.contains("next:\n  cd my-home && heal run sales-daily --date 2026-11-18"), "\(made.stdout)")
        let home = TestHome(existing: parent.url("my-home"))
        let shipped = try FileManager.default.subpathsOfDirectory(atPath: TestHome.repository.path)
            .filter { ["playbooks/", "skills/", "examples/"].contains(where: $0.hasPrefix) && !$0.hasSuffix(".py") }
            .filter { var dir: ObjCBool = false; _ = FileManager.default.fileExists(atPath: TestHome.repository.appendingPathComponent($0).path, isDirectory: &dir); return !dir.boolValue }
        #expect(shipped.count >= 15)
        for path in shipped {
            let expected = try Data(contentsOf: TestHome.repository.appendingPathComponent(path))
            #expect((try? Data(contentsOf: home.url(path))) == expected, "\(path) differs from the repository's (run scripts/embed-example)")
        }
        let ignore = try home.read(".gitignore")
        #expect(ignore.contains("metadata.db\n") && ignore.contains("staging/\n"), "\(ignore)")

        let run = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-22"], home: home)
        #expect(run.status == 0 && run.stdout.contains("healed: read 500 · loaded 500"), "\(run.stdout)\(run.stderr)")

        try home.write("skills/fetch-sales.yml", "# mine\n" + (try home.read("skills/fetch-sales.yml")))
        let again = try await HealProcess.run(["init"], home: home)
        #expect(again.status == 2 && again.stderr.contains("exist already") && again.stderr.contains("skills/fetch-sales.yml"), "\(again.stderr)")
        #expect(try home.read("skills/fetch-sales.yml").hasPrefix("# mine\n"))
        let forced = try await HealProcess.run(["init", "--force"], home: home)
        let replaced = try home.read("skills/fetch-sales.yml")
        #expect(forced.status == 0 && !replaced.hasPrefix("# mine"), "\(forced.stderr)")
        #expect(try home.read(".gitignore").components(separatedBy: "metadata.db\n").count == 2, "the .gitignore lines are added once")
    }

    /// A file of orders: a key, a closed set of statuses, positive amounts, dates, a column with gaps.
    static func orders(day: String, rows: Int, extra: [String] = []) -> String {
        let statuses = ["new", "shipped", "returned"]
        var text = "Order ID,Order Date,Status,Amount,Note\n"
        for i in 1...rows {
            text += "O\(day)-\(i),\(day.prefix(4))-\(day.dropFirst(4).prefix(2))-\(day.suffix(2)),\(statuses[i % 3]),\(i * 7 % 100 + 1).\(i % 10)5,\(i % 4 == 0 ? "" : "n\(i)")\n"
        }
        return text + extra.map { $0 + "\n" }.joined()
    }

    /// The drafted pipeline passes `heal check`, loads its own file, and its rules catch the next day's bad rows.
    @Test func aDraftedPipelineLoadsItsFileAndItsRulesHold() async throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("landing/orders_20261118.csv", InitTests.orders(day: "20261118", rows: 60))
        let made = try await HealProcess.run(["init", "--from", "landing/orders_20261118.csv"], home: home)
        #expect(made.status == 0, "\(made.stdout)\(made.stderr)")
        #expect(made.stdout.contains("pipeline orders drafted from orders_20261118.csv: 60 rows, 5 columns, key order_id"), "\(made.stdout)")
        #expect(made.stdout.contains("heal run orders --date 2026-11-18"), "\(made.stdout)")
        let fetch = try home.read("skills/orders-fetch.yml")
        #expect(fetch.contains("source: \"landing/orders_{date:yyyyMMdd}.csv\""), "\(fetch)")
        let quality = try home.read("skills/orders-quality.yml")
        #expect(quality.contains("- allowed: { column: Status, values: [new, returned, shipped] }"), "\(quality)")
        #expect(quality.contains("- unique: [Order ID]") && quality.contains("- range: { column: Amount, min: 0 }"), "\(quality)")
        #expect(quality.contains("- not_null: [Order ID, Order Date, Status, Amount]"), "a column with gaps is not required: \(quality)")
        #expect(!quality.contains("column: Note"), "\(quality)")
        let check = try await HealProcess.run(["check"], home: home)
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")

        let first = try await HealProcess.run(["run", "orders", "--date", "2026-11-18"], home: home)
        #expect(first.status == 0 && first.stdout.contains("succeeded: read 60 · loaded 60"), "\(first.stdout)\(first.stderr)")
        #expect(try await warehouse(home, "SELECT count(*), count(DISTINCT order_id), min(order_date), count(note) FROM orders")
                == [["60", "60", "2026-11-18", "45"]])

        // The next day: a status outside the set and a negative amount are quarantined by the drafted rules.
        try home.write("landing/orders_20261119.csv", InitTests.orders(day: "20261119", rows: 58, extra: [
            "O20261119-900,2026-11-19,lost,12.50,x", "O20261119-901,2026-11-19,new,-3.00,y"]))
        let second = try await HealProcess.run(["run", "orders", "--date", "2026-11-19"], home: home)
        #expect(second.status == 0 && second.stdout.contains("read 60 · loaded 58 · quarantined 2"), "\(second.stdout)\(second.stderr)")
        #expect(try await warehouse(home, "SELECT count(*) FROM orders WHERE order_id IN ('O20261119-900', 'O20261119-901')") == [["0"]])
    }

    /// Hostile column names make a draft that still parses; a folder, a missing file and mixed options are clear errors.
    @Test func oddInputGetsAClearErrorOrASafeDraft() async throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("in/export.csv", "\"id: 1\",\"a \"\"quoted\"\" #name\",true\n" + (1...30).map { "k\($0),v\($0 % 2),\($0 % 5)" }.joined(separator: "\n") + "\n")
        let made = try await HealProcess.run(["init", "--from", "in/export.csv", "--name", "odd"], home: home)
        #expect(made.status == 0, "\(made.stdout)\(made.stderr)")
        let check = try await HealProcess.run(["check"], home: home)
        let oddQuality = try home.read("skills/odd-quality.yml")
        #expect(check.status == 0, "\(check.stderr)\(oddQuality)")
        let run = try await HealProcess.run(["run", "odd", "--date", "2026-11-18"], home: home)
        #expect(run.status == 0 && run.stdout.contains("loaded 30"), "\(run.stdout)\(run.stderr)")

        for (arguments, message) in [(["init", "--from", "in"], "not a regular file"), (["init", "--from", "nope.csv"], "nope.csv: no such file"),
                                     (["init", "--example", "sales", "--from", "in/export.csv"], "alternatives"),
                                     (["init", "--from", "in/export.csv", "--name", "../x"], "--name '../x'")] {
            let result = try await HealProcess.run(arguments, home: home)
            #expect(result.status == 2 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
        }
    }
}

/// A mistyped command word gets the nearest command, at any depth, and exit 2 (issue 17, item 10).
@Suite("Did you mean: commands")
struct CommandSuggestionTests {
    @Test func aMistypedCommandNamesTheNearestOne() async throws {
        let home = try TestHome()
        defer { home.remove() }
        for (arguments, message) in [(["rn", "sales-daily"], "heal: 'rn' is not a command; did you mean 'run'?"),
                                     (["quarantine", "lst"], "heal quarantine: 'lst' is not a command; did you mean 'list'?"),
                                     (["zzzzzz"], "heal: 'zzzzzz' is not a command (heal --help lists them: run, backfill")] {
            let result = try await HealProcess.run(arguments, home: home)
            #expect(result.status == 2 && result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
        let help = try await HealProcess.run(["help", "run"], home: home)
        #expect(help.status == 0 && help.stdout.contains("USAGE: heal run"), "\(help.stdout)\(help.stderr)")
        let option = try await HealProcess.run(["run", "--nope"], home: home)
        #expect(option.status == 2 && !option.stderr.contains("is not a command"), "\(option.stderr)")
    }
}
