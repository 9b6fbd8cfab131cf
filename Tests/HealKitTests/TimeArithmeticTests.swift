import Foundation
@testable import HealKit
import Testing

/// date_diff and date_add on their edges, and the conversions a load makes: offsets to UTC, the day numbers both
/// rest on, a checked decimal scale.
@Suite("Time arithmetic and load conversions")
struct TimeArithmeticTests {
    func time(_ text: String) throws -> TimeValue {
        var column = ColumnSpec(name: "t", type: .timestamp)
        column.formats = []
        var copy = text
        return try #require(copy.withUTF8 { ValueCheck(column).time(FieldBytes($0)) })
    }

    @Test func dayNumbersRoundTripAcrossCenturiesAndLeapDays() {
        for n in stride(from: -800_000, through: 800_000, by: 997) {
            #expect(CalendarDate(dayNumber: n).dayNumber == n)
        }
        #expect(CalendarDate(dayNumber: 0).description == "1970-01-01")
        #expect(CalendarDate(year: 2024, month: 2, day: 29)!.dayNumber - CalendarDate(year: 2024, month: 2, day: 28)!.dayNumber == 1)
    }

    @Test func elapsedUnitsAreWholeAndTruncatedTowardZero() throws {
        let a = try time("2026-11-01 10:00:00"), b = try time("2026-11-01 10:17:59.9")
        #expect(TimeUnit.minute.elapsed(from: a, to: b) == 17)
        #expect(TimeUnit.minute.elapsed(from: b, to: a) == -17)
        #expect(TimeUnit.second.elapsed(from: a, to: b) == 1079)
        let jan31 = try time("2026-01-31 12:00:00"), mar1 = try time("2026-03-01 11:59:59"), mar1noon = try time("2026-03-01 12:00:00")
        #expect(TimeUnit.month.elapsed(from: jan31, to: mar1) == 1)
        #expect(TimeUnit.month.elapsed(from: jan31, to: mar1noon) == 1)
        #expect(TimeUnit.year.elapsed(from: try time("2024-02-29 00:00:00"), to: try time("2026-02-28 00:00:00")) == 1)
        // An instant and a wall-clock time cannot be compared.
        #expect(TimeUnit.hour.elapsed(from: try time("2026-11-01T10:00:00Z"), to: a) == nil)
    }

    @Test func addingMonthsLandsOnTheLastDayOfAShorterMonth() throws {
        let jan31 = TimeValue(date: CalendarDate(year: 2026, month: 1, day: 31)!)
        #expect(TimeUnit.month.add(1, to: jan31)?.sqlText == "2026-02-28")
        #expect(TimeUnit.month.add(-2, to: jan31)?.sqlText == "2025-11-30")
        #expect(TimeUnit.year.add(1, to: TimeValue(date: CalendarDate(year: 2024, month: 2, day: 29)!))?.sqlText == "2025-02-28")
        // A day stays a date; an hour makes it a timestamp.
        #expect(TimeUnit.day.add(1, to: jan31)?.sqlText == "2026-02-01")
        #expect(TimeUnit.hour.add(25, to: jan31)?.isoText == "2026-02-01T01:00:00")
    }

    @Test func offsetsBecomeUTCAndFractionsKeepTheirDigits() throws {
        #expect(try time("2026-11-01T00:30:00+01:00").sqlText == "2026-10-31 23:30:00Z")
        #expect(try time("2026-11-01T23:30:00-05:30").sqlText == "2026-11-02 05:00:00Z")
        #expect(try time("2026-11-01 10:00:00.250").sqlText == "2026-11-01 10:00:00.25")
        #expect(try time("2026-11-01 10:00:00.250").isoText == "2026-11-01T10:00:00.250")
    }

    @Test func aDecimalScaleIsCheckedNeverRounded() {
        var column = ColumnSpec(name: "price", type: .decimal)
        column.scale = 2
        #expect(ValueParser.accepts("12.50", as: column))
        #expect(ValueParser.accepts("12.500", as: column))
        #expect(!ValueParser.accepts("1.005", as: column))
        #expect(ValueParser.fractionDigits("1e-3") == 3)
        #expect(ValueParser.fractionDigits("1.50") == 1)
    }

    @Test func typesWidenAlongTheirLattice() {
        #expect(ColumnType.integer.widened(with: .decimal) == .decimal)
        #expect(ColumnType.date.widened(with: .timestamp) == .timestamp)
        #expect(ColumnType.integer.widened(with: .date) == .string)
        #expect(ColumnType.string.holds(.timestamp) && !ColumnType.integer.holds(.decimal))
    }
}
