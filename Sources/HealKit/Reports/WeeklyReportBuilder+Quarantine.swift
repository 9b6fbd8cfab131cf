import Foundation

extension WeeklyReportBuilder {
    /// Quarantined rows by reason and day, from the batches of each day's final run, with their trend.
    static func quarantine(_ input: Input, finalRuns: Set<String>) -> [WeeklyReport.QuarantineReason] {
        var reasons: [String: (pipeline: String, reason: String, byDay: [Int])] = [:]
        for batch in input.batches where input.inPeriod(batch.logicalDate) && finalRuns.contains(batch.runId) {
            guard let counts = batch.reasons.decoded(as: [String: Int].self),
                let index = input.dates.firstIndex(of: batch.logicalDate)
            else { continue }
            for (reason, n) in counts {
                let key = "\(batch.pipeline)\u{1F}\(reason)"
                var entry = reasons[key] ?? (batch.pipeline, reason, Array(repeating: 0, count: input.dates.count))
                entry.byDay[index] += n
                reasons[key] = entry
            }
        }
        return reasons.values.map { entry -> WeeklyReport.QuarantineReason in
            let half = entry.byDay.count / 2
            let early = entry.byDay.prefix(half).reduce(0, +)
            let late = entry.byDay.suffix(half).reduce(0, +)
            return .init(
                pipeline: entry.pipeline,
                reason: entry.reason,
                rows: entry.byDay.reduce(0, +),
                byDay: entry.byDay,
                trend: late > early ? "rising" : late < early ? "falling" : "steady"
            )
        }.sorted { ($0.rows, $1.reason) > ($1.rows, $0.reason) }
    }
}
