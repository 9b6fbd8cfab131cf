import Foundation

/// `heal backfill`: a range of one pipeline's logical dates, oldest first, each an ordinary run, so a date already
/// loaded from the same input is `skipped` and a failed date alerts as it would at night. One date failing does not
/// stop the rest (each date's load is its own); a stop request ends the range after the run in progress.
public struct Backfill: Sendable {
    /// Ten years of days: a range beyond it is a typo, not a backfill.
    public static let maximumDays = 3660

    public let pipeline: String
    public let dates: [CalendarDate]

    public init(pipeline: String, from: CalendarDate, to: CalendarDate) throws {
        guard !(to < from) else { throw UsageError("--to \(to) is before --from \(from); give the oldest date first") }
        let days = to.dayNumber - from.dayNumber + 1
        guard days <= Self.maximumDays else {
            throw UsageError(
                "--from \(from) --to \(to) is \(Noun.count(days, "day")); a backfill takes at most \(Self.maximumDays), so split it"
            )
        }
        self.pipeline = pipeline
        self.dates = (0..<days).map { from.adding(days: $0) }
    }

    /// Every date's run and the tally that decides the exit status.
    public struct Report: Codable, Sendable {
        public var pipeline: String
        public var from: String
        public var to: String
        public var runs: [RunSummary] = []
        /// Dates of the range not run because a stop was requested.
        public var notRun: [String] = []
        /// Runs by status, e.g. `["succeeded": 3, "failed": 1]`.
        public var counts: [String: Int] = [:]

        enum CodingKeys: String, CodingKey {
            case pipeline, from, to, runs, counts
            case notRun = "not_run"
        }

        /// 1 when any date failed, was interrupted or was not reached: the range is not done.
        public var exitCode: Int32 { runs.contains { $0.status.exitCode != 0 } || !notRun.isEmpty ? 1 : 0 }

        public var failed: [RunSummary] { runs.filter { $0.status.exitCode != 0 } }
    }

    /// Runs the dates in order; `each` sees every summary as it finishes.
    public func run(
        executor: RunExecutor,
        options: RunOptions,
        shouldStop: @Sendable () -> Bool = { false },
        each: (RunSummary) -> Void = { _ in }
    ) async throws -> Report {
        var report = Report(pipeline: pipeline, from: dates.first!.description, to: dates.last!.description)
        for (index, date) in dates.enumerated() {
            if shouldStop() {
                report.notRun = dates[index...].map(\.description)
                break
            }
            var options = options
            options.date = date
            let summary = try await executor.run(pipeline: pipeline, options: options)
            report.runs.append(summary)
            report.counts[summary.status.rawValue, default: 0] += 1
            each(summary)
        }
        return report
    }
}
