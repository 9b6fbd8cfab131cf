import Foundation

extension WeeklyReportBuilder {
    /// The period: an ISO week (`2026-W47`, Monday to Sunday), or `since` a date up to `until` (default: the 7 days
    /// before `today`).
    public static func period(week: String?, since: String?, today: CalendarDate) throws -> WeeklyReport.Period {
        if let week {
            let parts = week.split(separator: "-W")
            guard parts.count == 2, let year = Int(parts[0]), let number = Int(parts[1]), (1...53).contains(number) else {
                throw UsageError("--week '\(week)' is not an ISO week; expected YYYY-Www, e.g. 2026-W47")
            }
            var calendar = Calendar(identifier: .iso8601)
            calendar.timeZone = TimeZone(identifier: "UTC")!
            var components = DateComponents(weekday: 2, weekOfYear: number, yearForWeekOfYear: year)
            components.timeZone = calendar.timeZone
            guard let monday = calendar.date(from: components) else { throw UsageError("--week '\(week)' does not exist") }
            let first = CalendarDate.of(monday, in: calendar.timeZone)
            return .init(from: first.description, to: first.adding(days: 6).description, label: week)
        }
        if let since {
            guard let first = CalendarDate.parse(since, format: DateFormat.iso) else {
                throw UsageError("--since '\(since)' is not a date; expected YYYY-MM-DD")
            }
            let last = today.adding(days: -1)
            guard first <= last else { throw UsageError("--since \(since) is after yesterday (\(last))") }
            return .init(from: first.description, to: last.description, label: "\(first) to \(last)")
        }
        let last = today.adding(days: -1)
        let first = last.adding(days: -6)
        return .init(from: first.description, to: last.description, label: "\(first) to \(last)")
    }

    /// The ISO week (`2026-W47`) a date falls in.
    public static func isoWeek(of date: CalendarDate) -> String? {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        guard let day = calendar.date(from: DateComponents(year: date.year, month: date.month, day: date.day)) else { return nil }
        let parts = calendar.dateComponents([.weekOfYear, .yearForWeekOfYear], from: day)
        guard let week = parts.weekOfYear, let year = parts.yearForWeekOfYear else { return nil }
        return String(format: "%04d-W%02d", year, week)
    }
}
