import Foundation
import HealKit
import HealTesting
import Testing

/// Cron expressions against Tests/Fixtures/suites/cron (gorhill/cronexpr, robfig/cron, croniter, ccronexpr cases),
/// and the daylight-saving policy of Tests/Fixtures/suites/README.md.
@Suite("Schedules: cron vectors and daylight saving")
struct ScheduleTests {
    struct Vector: Decodable, Sendable, CustomTestStringConvertible {
        var expr: String
        var from: String
        var next: [String]
        var tz: String?
        var note: String?
        var testDescription: String { "\(expr) from \(from)" }
    }

    static func vectors(_ file: String) -> [Vector] {
        let data = (try? Data(contentsOf: TestHome.suite(file))) ?? Data("[]".utf8)
        return (try? JSONDecoder().decode([Vector].self, from: data)) ?? []
    }

    @Test func theVectorsAreThere() {
        #expect(ScheduleTests.vectors("cron/vectors.json").count == 60)
        #expect(ScheduleTests.vectors("cron/vectors_dst.json").count == 13)
    }

    @Test("cron/vectors.json: next fire times", arguments: ScheduleTests.vectors("cron/vectors.json"))
    func nextFireTimes(_ vector: Vector) throws {
        let schedule = try CronSchedule(vector.expr)
        var time = try #require(LocalTime.parse(vector.from))
        var fired: [String] = []
        for _ in 0..<max(1, vector.next.count) {
            guard let next = schedule.next(after: time) else { break }
            fired.append(next.description)
            time = next
        }
        #expect(fired == vector.next)
    }

    /// Where robfig skips a time that does not exist or fires a repeated time twice, heal follows Vixie cron:
    /// the skipped 2 am fires at 3 am EDT, and a repeated wall-clock time fires once, at its first occurrence.
    static let policy: [String: String] = [
        "0 2 * * * 2012-03-11T00:00:00-05:00": "2012-03-11T03:00:00-04:00",
        "0 1 * * * 2012-11-04T01:00:00-04:00": "2012-11-05T01:00:00-05:00",
        "0 * * * * 2012-11-04T01:00:00-04:00": "2012-11-04T02:00:00-05:00",
    ]

    @Test("cron/vectors_dst.json in America/New_York, with the suite's policy", arguments: ScheduleTests.vectors("cron/vectors_dst.json"))
    func daylightSaving(_ vector: Vector) throws {
        let zone = try #require(TimeZone(identifier: vector.tz ?? "UTC"))
        let formatter = ISO8601DateFormatter()
        let from = try #require(formatter.date(from: vector.from))
        let expected = try #require(formatter.date(from: ScheduleTests.policy["\(vector.expr) \(vector.from)"] ?? vector.next[0]))
        #expect(try CronSchedule(vector.expr).next(after: from, in: zone) == expected)
    }

    /// A nightly 02:30 job across both transitions: one fire every day, never two, never none.
    @Test func aNightlyJobFiresOncePerDayAcrossBothTransitions() throws {
        let zone = try #require(TimeZone(identifier: "America/New_York"))
        let schedule = try CronSchedule("30 2 * * *")
        for start in ["2026-03-07T12:00:00-05:00", "2026-10-31T12:00:00-04:00"] {
            var instant = try #require(ISO8601DateFormatter().date(from: start))
            var days: [CalendarDate] = []
            for _ in 0..<4 {
                instant = try #require(schedule.next(after: instant, in: zone))
                days.append(LocalTime.of(instant, in: zone).date)
            }
            #expect(Set(days).count == 4)
            #expect(zip(days, days.dropFirst()).allSatisfy { $0.adding(days: 1) == $1 })
        }
    }

    @Test func badExpressionsSayWhatIsWrong() {
        for (expression, message) in [("* * * *", "has 4 fields"), ("61 * * * *", "minute 61 is out of range"), ("* * * foo *", "'foo' is not a valid month"),
                                      ("*/0 * * * *", "not a step"), ("5-1 * * * *", "runs backwards")] {
            #expect {
                _ = try CronSchedule(expression)
            } throws: { error in
                (error as? CronSchedule.ParseError)?.description.contains(message) == true
            }
        }
        #expect((try? CronSchedule("0 2 * * MON-FRI")) != nil)
        #expect((try? CronSchedule("@daily"))?.next(after: LocalTime.parse("2026-11-21T23:59")!)?.description == "2026-11-22T00:00:00")
    }
}
