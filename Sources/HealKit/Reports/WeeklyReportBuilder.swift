import Foundation

/// Builds the weekly report from metadata.db: one read of the period's runs, attempts, proposals and batches, then
/// one part per concern (`WeeklyReportBuilder+Failures`, `+Proposers`, `+Quarantine`, `+Suggestions`, `+Period`).
public struct WeeklyReportBuilder: Sendable {
    public let store: MetadataStore

    public init(store: MetadataStore) { self.store = store }

    /// A failing step in one run: its first failure, whether the run got past it, and how long that took.
    struct Occurrence {
        var run: RunRecord
        var step: String
        var failureClass: String
        var pattern: String
        var healed: Bool
        var healMs: Int?
    }

    /// What the report is made from: the period's days and the store's rows, two days before it included so a
    /// streak that started then still counts as recurring.
    struct Input {
        var period: WeeklyReport.Period
        var dates: [String]
        var runs: [RunRecord]
        var attempts: [AttemptRecord]
        var proposals: [ProposalRecord]
        var batches: [QuarantineBatchRecord]

        func inPeriod(_ date: String) -> Bool { date >= period.from && date <= period.to }
    }

    public func build(_ period: WeeklyReport.Period, pipeline: String?, now: Date = Date()) throws -> WeeklyReport {
        guard let first = CalendarDate.parse(period.from, format: DateFormat.iso),
            let last = CalendarDate.parse(period.to, format: DateFormat.iso)
        else {
            throw UsageError("the period \(period.from)…\(period.to) is not two dates")
        }
        let rows = try store.reportInput(from: first.adding(days: -2).description, to: period.to, pipeline: pipeline)
        let dates = sequence(first: first) { $0.adding(days: 1) }.prefix { $0 <= last }.map(\.description)
        let input = Input(
            period: period,
            dates: dates,
            runs: rows.runs,
            attempts: rows.attempts,
            proposals: rows.proposals,
            batches: rows.batches
        )
        // A day counts once, by its final run; every run of the period spent its model calls all the same.
        let allPeriodRuns = input.runs.filter { input.inPeriod($0.logicalDate) }
        let periodRuns = WeeklyReportBuilder.finalRuns(allPeriodRuns)
        let (occurrences, remediations) = Self.occurrences(input)
        let current = occurrences.filter { input.inPeriod($0.run.logicalDate) }
        let signatures = Self.signatures(occurrences, in: input)
        let periodRunIDs = Set(allPeriodRuns.map(\.id))
        let proposals = input.proposals.filter { periodRunIDs.contains($0.runId) }
        var report = WeeklyReport(
            period: period,
            pipeline: pipeline,
            generatedAt: Timestamp.string(now),
            runs: periodRuns.count,
            runsByStatus: Self.countByStatus(periodRuns),
            days: Self.days(periodRuns, dates: dates),
            failures: Self.failures(current),
            signatures: signatures,
            recurring: signatures.filter(\.recurring),
            remediations: remediations,
            proposers: Self.proposers(proposals),
            quarantine: Self.quarantine(input, finalRuns: Set(periodRuns.map(\.id))),
            timeToHeal: Self.timeToHeal(current),
            suggestions: []
        )
        report.reruns = allPeriodRuns.count - periodRuns.count
        report.drift = try ProfileTrends.drift(store, pipeline: pipeline, from: period.from, to: period.to)
        report.schemaChanges = try store.schemaChanges(pipeline: pipeline, dates: period.from, period.to)
        let pipelines = pipeline.map { [$0] } ?? Array(Set(input.runs.map(\.pipeline))).sorted()
        report.trends = try ProfileTrends.trends(store, pipelines: pipelines, dates: dates)
        report.suggestions = Self.suggestions(report, proposals: proposals, occurrences: current)
        return report
    }

    static func countByStatus(_ runs: [RunRecord]) -> [String: Int] {
        var counts: [String: Int] = [:]
        for run in runs { counts[run.status.rawValue, default: 0] += 1 }
        return counts
    }

    /// Runs and rows per day, by each day's final run.
    static func days(_ periodRuns: [RunRecord], dates: [String]) -> [WeeklyReport.Day] {
        dates.map { date in
            let runs = periodRuns.filter { $0.logicalDate == date }
            return .init(
                date: date,
                runs: countByStatus(runs),
                rowsRead: runs.reduce(0) { $0 + $1.rowsRead },
                rowsLoaded: runs.reduce(0) { $0 + $1.rowsLoaded },
                rowsQuarantined: runs.reduce(0) { $0 + $1.rowsQuarantined }
            )
        }
    }

    /// Each pipeline's day by its final run: the last that did something (a forced or resumed run replaces the one
    /// before it); a skipped re-run only when the day has nothing else. `runs` is ordered by start within a day.
    static func finalRuns(_ runs: [RunRecord]) -> [RunRecord] {
        var last: [String: RunRecord] = [:]
        var order: [String] = []
        for run in runs {
            let key = "\(run.pipeline)\u{1F}\(run.logicalDate)"
            if last[key] == nil { order.append(key) }
            if run.status != .skipped || last[key] == nil || last[key]?.status == .skipped {
                last[key] = run
            }
        }
        return order.compactMap { last[$0] }
    }
}
