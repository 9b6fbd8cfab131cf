import Foundation
@testable import HealKit
import HealTesting
import Testing

/// The bounded pieces of a profile, against exact answers computed here.
@Suite("Profile sketches")
struct ProfileSketchTests {
    @Test(arguments: [10, 1_000, 100_000])
    func distinctCountsAreWithinTheSketchsError(_ n: Int) {
        var sketch = DistinctSketch()
        for i in 0..<n {
            var key = "C\(1_000_000 + i)"
            key.withUTF8 { sketch.add(hash: KeySet.hash(UnsafeRawBufferPointer($0))) }
            // Every key twice: duplicates must not count.
            key.withUTF8 { sketch.add(hash: KeySet.hash(UnsafeRawBufferPointer($0))) }
        }
        let error = abs(Double(sketch.estimate - n)) / Double(n)
        #expect(error < (n <= 1_000 ? 0.02 : 0.07), "estimate \(sketch.estimate) for \(n)")
    }

    @Test func quantilesAreWithinTwoPercentOfATrueValue() {
        var sketch = QuantileSketch()
        var values: [Double] = []
        var x: UInt64 = 42
        for _ in 0..<50_000 {
            x = x &* 6364136223846793005 &+ 1442695040888963407
            let v = Double(x >> 40) / 1000 - 2_000   // negatives, zeros and positives
            values.append(v)
            sketch.add(v)
        }
        values.sort()
        for q in [0.05, 0.25, 0.5, 0.75, 0.95] {
            let exact = values[Int(q * Double(values.count - 1))]
            let got = sketch.quantile(q)!
            #expect(abs(got - exact) <= abs(exact) * 0.021 + 1e-9, "q\(q): \(got) vs \(exact)")
        }
        #expect(QuantileSketch().quantile(0.5) == nil)
    }

    @Test func shapesKeepTheLettersEveryValueShares() {
        let tally = ShapeTally()
        for v in ["P00075", "P12345", "P99999", "Q1", "Salem, OR #2"] {
            var v = v
            v.withUTF8 { tally.add(FieldBytes($0)) }
        }
        let forms = tally.shapes.map(\.form)
        #expect(forms == ["P99999", "Q9", "Salem, OR #9"])
        let history = tally.shapes[0]
        let customers = ValueShape(shape: "A99999", literals: "C.....", count: 3)
        #expect(!customers.fits(history), "a C where history always had P")
        #expect(ValueShape(shape: "A99999", literals: "P.....", count: 1).fits(history))
        #expect(history.merged(with: customers).form == "A99999")
    }

    @Test func aTooLongOrTooVariedColumnIsFreeText() {
        let tally = ShapeTally()
        for i in 0..<100 {
            var v = String(repeating: "x", count: i % 50 + 1)
            v.withUTF8 { tally.add(FieldBytes($0)) }
        }
        #expect(tally.shapes.count == ShapeTally.cap)
        #expect(tally.other == 100 - tally.shapes.reduce(0) { $0 + $1.count })
    }

    @Test func driftSettingsDecodeStrictlyWithPositions() throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let quality = try home.read("skills/sales-quality.yml")
        try home.write("skills/sales-quality.yml", quality + "drift: { shape: warn, range: loud, per_column: { amount: { range: off } } }\n")
        let errors = ProjectConfig.load(from: home.healHome).1
        let error = try #require(errors.first)
        #expect(error.file == "skills/sales-quality.yml" && error.line == 9 && error.column == 30, "\(error)")
        #expect(error.message.contains("unknown value 'loud'; expected one of fail, warn, off"), "\(error.message)")

        try home.write("skills/sales-quality.yml", quality + "drift: { shape: warn, history: 5, per_column: { amount: { range: off } } }\n")
        let (config, clean) = ProjectConfig.load(from: home.healHome)
        #expect(clean.isEmpty)
        guard let spec = config.skills["sales-quality"]?.settings(QualitySpec.self) else { Issue.record("no quality skill"); return }
        #expect(spec.drift.level(.shape, for: "product_id") == .warn)
        #expect(spec.drift.level(.range, for: "amount") == .off)
        #expect(spec.drift.level(.range, for: "quantity") == .fail)
        #expect(spec.drift.history == 5)

        try home.write("skills/sales-quality.yml", quality + "drift: off\n")
        guard let off = ProjectConfig.load(from: home.healHome).0.skills["sales-quality"]?.settings(QualitySpec.self) else { return }
        #expect(!off.drift.enabled && off.drift.level(.shape, for: "product_id") == .off)
    }

    /// A date column's profile on `day` whose values are `values`.
    func dateProfile(_ values: [String], on day: Int) -> ProfileBaseline.Day {
        let date = CalendarDate(year: 2026, month: 11, day: day)!
        let profiler = ColumnProfiler(column: ColumnSpec(name: "start", type: .date), date: date)
        for v in values { profiler.add(v) }
        return .init(date: date.description, profile: profiler.profile)
    }

    @Test func fixedDatesAndDatesThatFollowTheDayAreNoDepartureButAYearOffIs() {
        let judge = { (day: Int) in DriftJudge(policy: DriftPolicy(), date: CalendarDate(year: 2026, month: 11, day: day)!) }
        let fixed = ProfileBaseline(days: (10...12).reversed().map { dateProfile(Array(repeating: "2026-01-01", count: 30), on: $0) })
        #expect(judge(13).departures(dateProfile(Array(repeating: "2026-01-01", count: 30), on: 13).profile, from: fixed).isEmpty)
        func following(_ day: Int, shift: Int = 0) -> [String] {
            (1...30).map { CalendarDate(year: 2026 + shift, month: 11, day: day)!.adding(days: -$0).description }
        }
        let moving = ProfileBaseline(days: (10...12).reversed().map { dateProfile(following($0), on: $0) })
        #expect(judge(13).departures(dateProfile(following(13), on: 13).profile, from: moving).isEmpty)
        let yearOff = judge(13).departures(dateProfile(following(13, shift: -1), on: 13).profile, from: moving)
        #expect(yearOff.map(\.check) == [.range], "\(yearOff)")
        #expect(yearOff.first?.detail.contains("start's median is 2025-10-") == true, "\(yearOff)")
    }
}
