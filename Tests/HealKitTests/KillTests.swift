import Foundation
import HealKit
import HealTesting
import Testing

/// Issue 19: SIGKILL of a large run at 20 moments drawn at random over its length (seeded, so a failure can be
/// replayed): right after each kill the warehouse holds none of the day or all of it, and a plain re-run loads
/// exactly all of it once. The named crash points of CrashTests hit every phase; these hit wherever the rows are.
/// `HEAL_TEST_KILL_ROWS` sets the rows (100,000 by default, for a debug build; 1,000,000 with `HEAL_TEST_BINARY` set
/// to a release build) and `HEAL_TEST_KILL_SEED` the seed.
@Suite("SIGKILL at random moments of a large run", .serialized, .timeLimit(.minutes(12)))
struct KillTests {
    static let environment = ProcessInfo.processInfo.environment
    static let rows = Int(environment["HEAL_TEST_KILL_ROWS"] ?? "") ?? 100_000
    static let seed = UInt64(environment["HEAL_TEST_KILL_SEED"] ?? "") ?? 19

    /// The example's day at `rows` rows: every 997th amount out of range (quarantined), every 1,009th sale a repeat
    /// of the one before (deduplicated by the transform), dates in both of the contract's formats.
    static func day(rows: Int) -> String {
        var text = "sale_id,date,amount,product_id,customer_id,quantity,store,channel\n"
        text.reserveCapacity(rows * 72)
        let channels = ["online", "store", "phone", "marketplace"]
        for n in 1...rows {
            let id = n % 1009 == 0 ? n - 1 : n
            let amount = n % 997 == 0 ? "-1.00" : "\(n % 9000 + 1).\(n % 100 < 10 ? "0" : "")\(n % 100)"
            let date = n % 3 == 0 ? "11/\(10 + n % 9)/2026" : "2026-11-\(10 + n % 9)"
            text += "S20261121-\(id),\(date),\(amount),P\(String(format: "%05d", n % 40 + 1)),C\(n % 5000),\(n % 7 + 1),Store #\(n % 50),\(channels[n % 4])\n"
        }
        return text
    }

    static func home(with day: String) throws -> TestHome {
        let home = try TestHome.example()
        try home.write("examples/landing/sales_20261121.csv", day)
        return home
    }

    func run(_ home: TestHome) async throws -> HealProcess.Result {
        try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-21", "--json"], home: home)
    }

    func loaded(_ home: TestHome) async throws -> Int {
        let warehouse = TestWarehouse.sqlite(home, file: "warehouse.db")
        return try await warehouse.hasTable("sales") ? try await warehouse.count("SELECT count(*) FROM sales") : 0
    }

    @Test func killedAnywhereTheDayLoadsExactlyOnce() async throws {
        let day = Self.day(rows: Self.rows)
        // An uninterrupted run: how long a run takes, and what it loads.
        let baseline = try Self.home(with: day)
        defer { baseline.remove() }
        let started = ContinuousClock.now
        let clean = try await run(baseline)
        let length = ContinuousClock.now - started
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(clean.stdout.utf8))
        let expected = summary.rows
        // (A repeat of a quarantined sale is no repeat: hence at least, not exactly, one per 1,009 rows but one.)
        #expect(expected.read == Self.rows && expected.quarantined == Self.rows / 997, "\(expected)")
        #expect(expected.deduplicated >= Self.rows / 1009 - 1 && expected.deduplicated > 0, "\(expected)")
        #expect(expected.loaded == expected.read - expected.quarantined - expected.deduplicated)
        #expect(try await loaded(baseline) == expected.loaded)

        var random = SplitMix(seed: Self.seed)
        var inThePass = 0
        for trial in 1...20 {
            let home = try Self.home(with: day)
            defer { home.remove() }
            let moment = Duration.nanoseconds(Int64(Double(length.nanoseconds) * Double(random.next() % 10_000) / 10_000))
            let process = Process()
            process.executableURL = HealProcess.binary
            process.arguments = ["run", "sales-daily", "--date", "2026-11-21"]
            process.currentDirectoryURL = home.root
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            try await Task.sleep(for: moment)
            kill(process.processIdentifier, SIGKILL)
            while process.isRunning { try await Task.sleep(for: .milliseconds(10)) }
            let label = "trial \(trial), killed at \(moment) of \(length) (seed \(Self.seed))"

            let after = try await loaded(home)
            #expect(after == 0 || after == expected.loaded, "\(label): \(after) rows after the kill")
            // Killed once the checks had passed and before the load's checkpoint: inside the transform and load's pass.
            let metadata = TestWarehouse.sqlite(home, file: "metadata.db")
            var passed: [String] = []
            if home.exists("metadata.db"), try await metadata.hasTable("checkpoints") {
                passed = try await metadata.rows("SELECT step FROM checkpoints").map { $0[0] }
            }
            if passed.contains("quality") && !passed.contains("load") { inThePass += 1 }

            let rerun = try await run(home)
            #expect(rerun.status == 0, "\(label): \(rerun.stdout)\(rerun.stderr)")
            let again = try JSONDecoder().decode(RunSummary.self, from: Data(rerun.stdout.utf8))
            // Killed after its load committed, the day is already there: the re-run finds it and loads nothing.
            #expect(again.rows == expected || (after == expected.loaded && again.status == .skipped), "\(label): \(again.rows)")
            let warehouse = TestWarehouse.sqlite(home, file: "warehouse.db")
            #expect(try await warehouse.count("SELECT count(*) FROM sales") == expected.loaded, "\(label)")
            #expect(try await warehouse.count("SELECT count(DISTINCT sale_id) FROM sales") == expected.loaded, "\(label)")
            #expect(try await warehouse.rows("SELECT rows FROM _heal_loads") == [["\(expected.loaded)"]], "\(label)")
        }
        // The pass is about half of a run: some of the 20 moments must have fallen in it.
        #expect(inThePass > 0)
    }
}

extension Duration {
    var nanoseconds: Int64 { components.seconds * 1_000_000_000 + components.attoseconds / 1_000_000_000 }
}
