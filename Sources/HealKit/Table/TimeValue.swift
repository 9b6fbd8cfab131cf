import Foundation

/// A date or a date-time as a count of seconds, for arithmetic (`date_diff`, `date_add`) and for writing
/// instants in UTC: an offset in the text is applied, so `10:00+02:00` and `08:00Z` are the same instant.
struct TimeValue: Sendable, Equatable, Comparable {
    /// Seconds since 1970-01-01 00:00:00: UTC when `isInstant`, the wall clock as written otherwise.
    var seconds: Int64
    /// Fraction-of-second digits as written, without trailing zeros.
    var fraction: String = ""
    var isDate: Bool
    var isInstant: Bool

    init(seconds: Int64, fraction: String, isDate: Bool, isInstant: Bool) {
        self.seconds = seconds
        self.fraction = fraction
        self.isDate = isDate
        self.isInstant = isInstant
    }

    init(date: CalendarDate) {
        seconds = Int64(date.dayNumber) * 86_400
        isDate = true
        isInstant = false
    }

    init?(_ text: DateTimeText) {
        guard text.hasTime else {
            self.init(date: text.date)
            return
        }
        var seconds = Int64(text.date.dayNumber) * 86_400 + Int64(text.hour * 3600 + text.minute * 60 + text.second)
        if let offset = text.offset, offset != "Z" {
            let digits = offset.filter(\.isNumber).compactMap(\.wholeNumberValue)
            guard digits.count >= 2 else { return nil }
            let hours = digits[0] * 10 + digits[1]
            let minutes = digits.count >= 4 ? digits[2] * 10 + digits[3] : 0
            let shift = Int64(hours * 3600 + minutes * 60)
            seconds -= offset.hasPrefix("-") ? -shift : shift
        }
        self.init(
            seconds: seconds,
            fraction: String(text.fraction.reversed().drop { $0 == "0" }.reversed()),
            isDate: false,
            isInstant: text.offset != nil
        )
    }

    static func < (a: TimeValue, b: TimeValue) -> Bool {
        (a.seconds, a.fractionValue) < (b.seconds, b.fractionValue)
    }

    /// The fraction as a number of nanoseconds, for comparisons and differences.
    var fractionValue: Int64 {
        let nine = String((fraction + "000000000").prefix(9))
        return Int64(nine) ?? 0
    }

    var day: CalendarDate { CalendarDate(dayNumber: Int((seconds - (seconds % 86_400 + 86_400) % 86_400) / 86_400)) }

    /// `2026-11-21`, or `2026-11-21 08:15:00[.5][Z]`: ISO 8601 with a space, as SQLite's datetime() and
    /// PostgreSQL print it, so the same value reads the same from either warehouse; instants in UTC.
    var sqlText: String {
        guard !isDate else { return day.description }
        let inDay = (seconds % 86_400 + 86_400) % 86_400
        func two(_ v: Int64) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var out = "\(day) \(two(inDay / 3600)):\(two(inDay / 60 % 60)):\(two(inDay % 60))"
        if !fraction.isEmpty { out += "." + fraction }
        return isInstant ? out + "Z" : out
    }

    /// ISO 8601 with a `T`, milliseconds when there is a fraction, and `Z` for an instant: what a computed column
    /// writes, in a shape its declared formats read back.
    var isoText: String {
        guard !isDate else { return sqlText }
        var copy = self
        if !fraction.isEmpty { copy.fraction = String((fraction + "00").prefix(max(3, fraction.count))) }
        return copy.sqlText.replacingOccurrences(of: " ", with: "T")
    }
}

/// The units `date_diff` and `date_add` count in.
enum TimeUnit: String, CaseIterable, Sendable {
    case second, minute, hour, day, week, month, year

    var seconds: Int64? {
        switch self {
        case .second: return 1
        case .minute: return 60
        case .hour: return 3600
        case .day: return 86_400
        case .week: return 604_800
        case .month, .year: return nil
        }
    }

    /// Whole units elapsed from `a` to `b`, truncated toward zero (negative when `b` is earlier); nil when one is
    /// an instant and the other a wall-clock time, which no arithmetic can compare.
    func elapsed(from a: TimeValue, to b: TimeValue) -> Int64? {
        guard a.isInstant == b.isInstant || a.isDate || b.isDate else { return nil }
        if let size = seconds {
            let nanos = (b.seconds - a.seconds) * 1_000_000_000 + (b.fractionValue - a.fractionValue)
            return nanos / (size * 1_000_000_000)
        }
        let (da, db) = (a.day, b.day)
        var months = Int64((db.year - da.year) * 12 + (db.month - da.month))
        // A month is complete when the later day-and-time of month is reached.
        let restA = a.seconds - Int64(CalendarDate(year: da.year, month: da.month, day: 1)!.dayNumber) * 86_400
        let restB = b.seconds - Int64(CalendarDate(year: db.year, month: db.month, day: 1)!.dayNumber) * 86_400
        if months > 0 && restB < restA { months -= 1 }
        if months < 0 && restB > restA { months += 1 }
        return self == .year ? months / 12 : months
    }

    /// `value` moved by `n` units; a date stays a date for days, weeks, months and years, and a month past the
    /// end of a shorter month lands on its last day (Jan 31 + 1 month = Feb 28), as SQL engines do.
    func add(_ n: Int64, to value: TimeValue) -> TimeValue? {
        var out = value
        if let size = seconds {
            let (shift, overflow) = n.multipliedReportingOverflow(by: size)
            guard !overflow else { return nil }
            out.seconds += shift
            if value.isDate && size % 86_400 != 0 { out.isDate = false }
            return out
        }
        let months = self == .year ? n * 12 : n
        guard abs(months) < 120_000 else { return nil }
        let d = value.day
        let total = Int64(d.year) * 12 + Int64(d.month - 1) + months
        let year = Int(total >= 0 ? total / 12 : (total - 11) / 12)
        let month = Int(total - Int64(year) * 12) + 1
        guard let moved = CalendarDate(year: year, month: month, day: min(d.day, CalendarDate.daysIn(month: month, year: year))) else {
            return nil
        }
        out.seconds += Int64(moved.dayNumber - d.dayNumber) * 86_400
        return out
    }
}
