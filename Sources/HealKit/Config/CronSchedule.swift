import Foundation

/// A wall-clock time without a zone: what a cron expression speaks in.
public struct LocalTime: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var date: CalendarDate
    /// Minutes since midnight.
    public var minute: Int

    public init(date: CalendarDate, minute: Int) {
        self.date = date
        self.minute = minute
    }

    public static func < (a: LocalTime, b: LocalTime) -> Bool { (a.date, a.minute) < (b.date, b.minute) }

    /// `2026-11-22T02:00:00`.
    public var description: String { "\(date)T\(String(format: "%02d:%02d", minute / 60, minute % 60)):00" }

    /// Parses `YYYY-MM-DDTHH:MM[:SS]`; seconds are dropped (cron fires on whole minutes).
    public static func parse(_ text: String) -> LocalTime? {
        let parts = text.split(separator: "T")
        guard parts.count == 2, let date = CalendarDate.parse(String(parts[0]), format: DateFormat.iso) else { return nil }
        let clock = parts[1].split(separator: ":").compactMap { Int($0) }
        guard clock.count >= 2, (0..<24).contains(clock[0]), (0..<60).contains(clock[1]) else { return nil }
        return LocalTime(date: date, minute: clock[0] * 60 + clock[1])
    }

    /// The wall-clock time of an instant in a zone (seconds dropped).
    public static func of(_ instant: Date, in zone: TimeZone) -> LocalTime {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        return LocalTime(date: CalendarDate(year: c.year!, month: c.month!, day: c.day!)!, minute: c.hour! * 60 + c.minute!)
    }

    /// Seconds since the epoch as if this wall-clock time were UTC.
    var naiveEpoch: TimeInterval {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let midnight = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day))!
        return midnight.timeIntervalSince1970 + TimeInterval(minute * 60)
    }
}

/// A five-field cron expression (minute hour day-of-month month day-of-week) or an alias (`@daily` …), as Vixie
/// cron reads it: names for months and weekdays, 7 is Sunday too, and when both day fields are restricted (anything
/// but a bare `*`, so `*/2` counts, as cronie and croniter read it) a day
/// matching either one fires.
public struct CronSchedule: Sendable, Equatable, CustomStringConvertible {
    public let expression: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public var description: String { expression }

    static let aliases = [
        "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *", "@weekly": "0 0 * * 0",
        "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *",
    ]
    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    /// A problem in an expression, phrased for `heal check`.
    public struct ParseError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    public init(_ expression: String) throws(ParseError) {
        self.expression = expression
        let text = CronSchedule.aliases[expression.lowercased().trimmingCharacters(in: .whitespaces)] ?? expression
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map { String($0).lowercased() }
        guard fields.count == 5 else {
            throw ParseError(
                description:
                    "'\(expression)' has \(fields.count) fields; expected 5 (minute hour day-of-month month day-of-week) or @hourly, @daily, @weekly, @monthly, @yearly"
            )
        }
        minutes = try CronSchedule.field(fields[0], "minute", 0...59, names: [])
        hours = try CronSchedule.field(fields[1], "hour", 0...23, names: [])
        daysOfMonth = try CronSchedule.field(fields[2], "day of month", 1...31, names: [])
        months = try CronSchedule.field(fields[3], "month", 1...12, names: CronSchedule.monthNames, firstName: 1)
        // 7 is Sunday as well as 0.
        daysOfWeek = Set(try CronSchedule.field(fields[4], "day of week", 0...7, names: CronSchedule.dayNames, firstName: 0).map { $0 % 7 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    static func field(
        _ text: String,
        _ what: String,
        _ range: ClosedRange<Int>,
        names: [String],
        firstName: Int = 0
    ) throws(ParseError) -> Set<Int> {
        func value(_ token: Substring) throws(ParseError) -> Int {
            if let n = Int(token) {
                guard range.contains(n) else {
                    throw ParseError(description: "\(what) \(n) is out of range \(range.lowerBound)-\(range.upperBound)")
                }
                return n
            }
            if let index = names.firstIndex(of: String(token)) { return index + firstName }
            throw ParseError(description: "'\(token)' is not a valid \(what)")
        }
        var values: Set<Int> = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            let stepped = part.split(separator: "/", omittingEmptySubsequences: false)
            guard stepped.count <= 2, !stepped[0].isEmpty else {
                throw ParseError(description: "'\(part)' is not a valid \(what) list item")
            }
            var step = 1
            if stepped.count == 2 {
                guard let s = Int(stepped[1]), s > 0 else { throw ParseError(description: "'\(stepped[1])' is not a step for the \(what)") }
                step = s
            }
            let bounds: ClosedRange<Int>
            if stepped[0] == "*" {
                bounds = range
            } else {
                let ends = stepped[0].split(separator: "-", omittingEmptySubsequences: false)
                guard ends.count <= 2 else { throw ParseError(description: "'\(stepped[0])' is not a valid \(what) range") }
                let low = try value(ends[0])
                let high = ends.count == 2 ? try value(ends[1]) : (stepped.count == 2 ? range.upperBound : low)
                guard low <= high else { throw ParseError(description: "the \(what) range \(stepped[0]) runs backwards") }
                bounds = low...high
            }
            values.formUnion(stride(from: bounds.lowerBound, through: bounds.upperBound, by: step))
        }
        return values
    }

    func matches(_ date: CalendarDate) -> Bool {
        guard months.contains(date.month) else { return false }
        let dom = daysOfMonth.contains(date.day)
        let dow = daysOfWeek.contains(date.weekday)
        if dayOfMonthRestricted && dayOfWeekRestricted { return dom || dow }
        return dom && dow
    }

    /// The first wall-clock time strictly after `time` that the expression names; nil when it names none in the
    /// next 8 years (`0 0 30 2 *`).
    public func next(after time: LocalTime) -> LocalTime? {
        var date = time.date
        var from = time.minute + 1
        for _ in 0..<(366 * 8) {
            if matches(date), let minute = firstMinute(from: from) { return LocalTime(date: date, minute: minute) }
            date = date.adding(days: 1)
            from = 0
        }
        return nil
    }

    private func firstMinute(from start: Int) -> Int? {
        guard start < 24 * 60 else { return nil }
        for hour in start / 60..<24 where hours.contains(hour) {
            let first = hour == start / 60 ? start % 60 : 0
            if let minute = minutes.filter({ $0 >= first }).min() { return hour * 60 + minute }
        }
        return nil
    }

    /// The next fire time strictly after `instant` in `zone`. A wall-clock time that does not exist (spring forward)
    /// fires when the clocks jump past it; one that occurs twice (fall back) fires once, at its first occurrence.
    public func next(after instant: Date, in zone: TimeZone) -> Date? {
        var local = LocalTime.of(instant, in: zone)
        for _ in 0..<10_000 {
            guard let candidate = next(after: local) else { return nil }
            if let fire = CronSchedule.instant(of: candidate, in: zone), fire > instant { return fire }
            local = candidate
        }
        return nil
    }

    /// The instant a wall-clock time names: the earlier of two (fall back), or the end of the gap (spring forward).
    static func instant(of time: LocalTime, in zone: TimeZone) -> Date? {
        let naive = time.naiveEpoch
        let offsets = Set([
            zone.secondsFromGMT(for: Date(timeIntervalSince1970: naive - 86_400)),
            zone.secondsFromGMT(for: Date(timeIntervalSince1970: naive + 86_400)),
            zone.secondsFromGMT(for: Date(timeIntervalSince1970: naive)),
        ])
        let valid = offsets.map { Date(timeIntervalSince1970: naive - TimeInterval($0)) }
            .filter { zone.secondsFromGMT(for: $0) == Int(naive - $0.timeIntervalSince1970) }
            .sorted()
        if let first = valid.first { return first }
        // In the gap: read with the offset after the jump it falls before the transition; the transition is the fire.
        let later = offsets.max() ?? 0
        let beforeJump = Date(timeIntervalSince1970: naive - TimeInterval(later))
        return zone.nextDaylightSavingTimeTransition(after: beforeJump.addingTimeInterval(-1))
    }
}

extension CalendarDate {
    /// 0 = Sunday … 6 = Saturday.
    public var weekday: Int {
        // Zeller-free: days since 1970-01-01, a Thursday.
        var y = year
        var m = month
        if m <= 2 {
            y -= 1
            m += 12
        }
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m - 3) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return ((days % 7) + 11) % 7
    }
}
