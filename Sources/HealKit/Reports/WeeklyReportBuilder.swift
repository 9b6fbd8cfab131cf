import Foundation

/// Builds the weekly report from metadata.db: one read of the period's runs, attempts, proposals and batches.
public struct WeeklyReportBuilder: Sendable {
    public let store: MetadataStore

    public init(store: MetadataStore) { self.store = store }

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

    /// A failing step in one run: its first failure, whether the run got past it, and how long that took.
    struct Occurrence {
        var run: RunRecord
        var step: String
        var failureClass: String
        var pattern: String
        var healed: Bool
        var healMs: Int?
    }

    public func build(_ period: WeeklyReport.Period, pipeline: String?, now: Date = Date()) throws -> WeeklyReport {
        // Two days before the period so a streak that started then still counts as recurring.
        guard let first = CalendarDate.parse(period.from, format: DateFormat.iso),
            let last = CalendarDate.parse(period.to, format: DateFormat.iso)
        else {
            throw UsageError("the period \(period.from)…\(period.to) is not two dates")
        }
        let input = try store.reportInput(from: first.adding(days: -2).description, to: period.to, pipeline: pipeline)
        var dates: [String] = []
        var day = first
        while day <= last {
            dates.append(day.description)
            day = day.adding(days: 1)
        }
        let inPeriod = { (date: String) in date >= period.from && date <= period.to }

        let attemptsByRun = Dictionary(grouping: input.attempts, by: \.runId)
        var occurrences: [Occurrence] = []
        var remediation: [String: (pipeline: String, step: String, skill: String, failure: String, tried: Int, healed: Int)] = [:]
        for run in input.runs {
            let attempts = attemptsByRun[run.id] ?? []
            for (step, stepAttempts) in Dictionary(grouping: attempts, by: \.step) {
                guard let failed = stepAttempts.first(where: { $0.level == 1 && $0.outcome == .fail }) else { continue }
                let passed = stepAttempts.first { $0.outcome == .pass && ($0.kind == .recheck || $0.level == 1) }
                let healMs = passed.flatMap { p -> Int? in
                    guard let start = Timestamp.date(failed.startedAt), let end = Timestamp.date(p.startedAt) else { return nil }
                    return Int(end.timeIntervalSince(start) * 1000) + p.durationMs
                }
                let occurrence = Occurrence(
                    run: run,
                    step: step,
                    failureClass: failed.failureClass?.rawValue ?? "unknown",
                    pattern: FailureSignature.pattern(failed.details),
                    healed: passed != nil,
                    healMs: healMs
                )
                occurrences.append(occurrence)
                guard inPeriod(run.logicalDate) else { continue }
                // Each remediation try, and whether the re-check with the same number passed after it.
                for remedy in stepAttempts where remedy.level == 2 && remedy.kind != .recheck {
                    let key = "\(run.pipeline)\u{1F}\(step)\u{1F}\(remedy.skill)\u{1F}\(occurrence.failureClass)"
                    let healedByIt = stepAttempts.contains {
                        $0.kind == .recheck && $0.attempt == remedy.attempt && $0.outcome == .pass && $0.id ?? 0 > remedy.id ?? 0
                    }
                    var entry = remediation[key] ?? (run.pipeline, step, remedy.skill, occurrence.failureClass, 0, 0)
                    entry.tried += 1
                    if healedByIt { entry.healed += 1 }
                    remediation[key] = entry
                }
            }
        }

        // Runs and rows per day: a day counts once, by its final run.
        let allPeriodRuns = input.runs.filter { inPeriod($0.logicalDate) }
        let periodRuns = WeeklyReportBuilder.finalRuns(allPeriodRuns)
        let finalIDs = Set(periodRuns.map(\.id))
        var byStatus: [String: Int] = [:]
        for run in periodRuns { byStatus[run.status.rawValue, default: 0] += 1 }
        let days = dates.map { date -> WeeklyReport.Day in
            let runs = periodRuns.filter { $0.logicalDate == date }
            var counts: [String: Int] = [:]
            for run in runs { counts[run.status.rawValue, default: 0] += 1 }
            return .init(
                date: date,
                runs: counts,
                rowsRead: runs.reduce(0) { $0 + $1.rowsRead },
                rowsLoaded: runs.reduce(0) { $0 + $1.rowsLoaded },
                rowsQuarantined: runs.reduce(0) { $0 + $1.rowsQuarantined }
            )
        }

        // Failures by step and class, and signatures with their streaks.
        let current = occurrences.filter { inPeriod($0.run.logicalDate) }
        var failures: [String: WeeklyReport.StepFailures] = [:]
        for o in current {
            let key = "\(o.run.pipeline)\u{1F}\(o.step)\u{1F}\(o.failureClass)"
            failures[key, default: .init(pipeline: o.run.pipeline, step: o.step, failureClass: o.failureClass, runs: 0)].runs += 1
        }
        var signatures: [WeeklyReport.Signature] = []
        for (_, group) in Dictionary(
            grouping: occurrences,
            by: { "\($0.run.pipeline)\u{1F}\($0.step)\u{1F}\($0.failureClass)\u{1F}\($0.pattern)" }
        ) {
            let inside = group.filter { inPeriod($0.run.logicalDate) }
            guard let sample = inside.first else { continue }
            let streak = WeeklyReportBuilder.longestStreak(Set(group.map(\.run.logicalDate)), endingFrom: period.from)
            let seen = inside.map(\.run.logicalDate).sorted()
            signatures.append(
                .init(
                    pipeline: sample.run.pipeline,
                    step: sample.step,
                    failureClass: sample.failureClass,
                    pattern: sample.pattern,
                    occurrences: inside.count,
                    healed: inside.filter(\.healed).count,
                    firstSeen: seen.first!,
                    lastSeen: seen.last!,
                    longestStreak: streak,
                    recurring: streak >= 3
                )
            )
        }
        signatures.sort { ($0.occurrences, $1.pattern) > ($1.occurrences, $0.pattern) }

        let remediations = remediation.values.map {
            WeeklyReport.RemediationRate(
                pipeline: $0.pipeline,
                step: $0.step,
                remediation: $0.skill,
                failureClass: $0.failure,
                tried: $0.tried,
                healed: $0.healed,
                rate: $0.tried == 0 ? 0 : Double($0.healed) / Double($0.tried)
            )
        }.sorted { ($0.pipeline, $0.step, $0.remediation) < ($1.pipeline, $1.step, $1.remediation) }

        // Every proposal any run of the period made: a replaced run's model calls were spent all the same.
        let periodRunIDs = Set(allPeriodRuns.map(\.id))
        let proposals = input.proposals.filter { periodRunIDs.contains($0.runId) }
        let proposers = Dictionary(grouping: proposals, by: \.proposer).map { name, list -> WeeklyReport.ProposerStats in
            let accepted = list.filter { $0.verdict == .accepted }.count
            // A request was sent when its prompt has a size (or tokens were counted, in records from before sizes).
            let calls = list.filter { $0.promptBytes > 0 || $0.inputTokens + $0.outputTokens > 0 }
            let latencies = calls.map(\.latencyMs).sorted()
            var stats = WeeklyReport.ProposerStats(
                proposer: name,
                proposals: list.count,
                accepted: accepted,
                rejected: list.filter { $0.verdict == .rejected }.count,
                modelCalls: calls.count,
                inputTokens: list.reduce(0) { $0 + $1.inputTokens },
                outputTokens: list.reduce(0) { $0 + $1.outputTokens },
                medianLatencyMs: latencies.isEmpty ? 0 : latencies[(latencies.count - 1) / 2],
                rate: Double(accepted) / Double(list.count)
            )
            stats.pending = list.filter { $0.verdict == .pending }.count
            stats.none = list.count - stats.accepted - stats.rejected - stats.pending
            stats.failedCalls = calls.filter { $0.inputTokens + $0.outputTokens == 0 }.count
            return stats
        }.sorted { $0.proposer < $1.proposer }

        var reasons: [String: (pipeline: String, reason: String, byDay: [Int])] = [:]
        for batch in input.batches where inPeriod(batch.logicalDate) && finalIDs.contains(batch.runId) {
            guard let counts = batch.reasons.decoded(as: [String: Int].self),
                let index = dates.firstIndex(of: batch.logicalDate)
            else { continue }
            for (reason, n) in counts {
                let key = "\(batch.pipeline)\u{1F}\(reason)"
                var entry = reasons[key] ?? (batch.pipeline, reason, Array(repeating: 0, count: dates.count))
                entry.byDay[index] += n
                reasons[key] = entry
            }
        }
        let quarantine = reasons.values.map { entry -> WeeklyReport.QuarantineReason in
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

        let healTimes = current.compactMap { $0.healed ? $0.healMs : nil }.sorted()
        let timeToHeal = WeeklyReport.TimeToHeal(
            healedSteps: healTimes.count,
            medianMs: healTimes.isEmpty ? 0 : healTimes[(healTimes.count - 1) / 2],
            maxMs: healTimes.last ?? 0
        )
        let recurring = signatures.filter(\.recurring)
        var report = WeeklyReport(
            period: period,
            pipeline: pipeline,
            generatedAt: Timestamp.string(now),
            runs: periodRuns.count,
            runsByStatus: byStatus,
            days: days,
            failures: failures.values.sorted { ($0.runs, $1.step) > ($1.runs, $0.step) },
            signatures: signatures,
            recurring: recurring,
            remediations: remediations,
            proposers: proposers,
            quarantine: quarantine,
            timeToHeal: timeToHeal,
            suggestions: []
        )
        report.reruns = allPeriodRuns.count - periodRuns.count
        report.drift = try ProfileTrends.drift(store, pipeline: pipeline, from: period.from, to: period.to)
        report.schemaChanges = try store.schemaChanges(pipeline: pipeline, dates: period.from, period.to)
        let pipelines = pipeline.map { [$0] } ?? Array(Set(input.runs.map(\.pipeline))).sorted()
        report.trends = try ProfileTrends.trends(store, pipelines: pipelines, dates: dates)
        report.suggestions = WeeklyReportBuilder.suggestions(report, proposals: proposals, occurrences: current)
        return report
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

    /// The longest run of consecutive dates that reaches into the period.
    static func longestStreak(_ dates: Set<String>, endingFrom periodStart: String) -> Int {
        var best = 0
        for date in dates {
            guard let d = CalendarDate.parse(date, format: DateFormat.iso), !dates.contains(d.adding(days: -1).description) else {
                continue
            }
            var length = 1
            var end = d
            while dates.contains(end.adding(days: 1).description) {
                end = end.adding(days: 1)
                length += 1
            }
            if end.description >= periodStart { best = max(best, length) }
        }
        return best
    }

    /// What a data engineer could change, from the figures above.
    static func suggestions(_ report: WeeklyReport, proposals: [ProposalRecord], occurrences: [Occurrence]) -> [String] {
        var out: [String] = []
        for r in report.remediations where r.tried >= 3 && r.healed == r.tried {
            out.append(
                "Promote \(r.remediation): it healed \(r.failureClass) at \(r.pipeline)/\(r.step) \(r.healed) of \(Noun.count(r.tried, "time")); make it the step's first remedy and stop paging for it."
            )
        }
        var renames: [String: Int] = [:]
        for p in proposals where p.proposer == "claude" && p.verdict == .accepted {
            guard let mapping = p.mapping, let repair = try? SchemaRepair.parse(mapping) else { continue }
            for case .rename(let from, let to) in repair.operations { renames["\(from)\u{1F}\(to)", default: 0] += 1 }
        }
        for (pair, n) in renames.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) where n >= 2 {
            let names = pair.split(separator: "\u{1F}", omittingEmptySubsequences: false)
            out.append(
                "Add an alias: Claude mapped '\(names[0])' to '\(names[1])' \(Noun.count(n, "time")); `heal mappings promote ID` (ids in `heal mappings list`) writes it into the contract's aliases, or add `aliases: [\(names[0])]` to column \(names[1]) by hand, so the contract reads it with no proposer at all."
            )
        }
        var transient: [String: Int] = [:]
        for o in occurrences where o.failureClass == "transient" { transient["\(o.run.pipeline)/\(o.step)", default: 0] += 1 }
        for (step, n) in transient.sorted(by: { $0.key < $1.key }) where n >= 3 {
            out.append(
                "The source of \(step) failed transiently in \(Noun.count(n, "run")): give its fetch skill a `circuit_breaker` (or a fallback_source) so a dead endpoint is not hammered."
            )
        }
        var byClass: [String: Int] = [:]
        for o in occurrences { byClass["\(o.run.pipeline)/\(o.step)\u{1F}\(o.failureClass)", default: 0] += 1 }
        for (key, n) in byClass.sorted(by: { $0.key < $1.key }) where n >= 2 {
            let parts = key.split(separator: "\u{1F}").map(String.init)
            switch parts[1] {
            case "schema_mismatch" where !out.contains(where: { $0.hasPrefix("Add an alias") }):
                out.append(
                    "\(parts[0]) refused the header in \(Noun.count(n, "run")) and needed a schema repair each time: promote the mapping into the contract (`heal mappings promote ID`, ids in `heal mappings list`) so the contract reads the file as it is now, or ask the producer to restore the old header."
                )
            case "constraint_violation":
                out.append(
                    "\(parts[0]) hit constraint_violation in \(Noun.count(n, "run")) (keys already in the table): when the source re-sends rows on purpose, set `mode: merge` on the load skill or map constraint_violation to an `upsert` remediation; otherwise dedupe upstream."
                )
            case "target_unavailable":
                out.append(
                    "The warehouse of \(parts[0]) was unavailable in \(Noun.count(n, "run")): check its maintenance window against the schedule, or give the playbook's retry more attempts and a longer max_backoff_ms."
                )
            default:
                break
            }
        }
        for s in report.recurring {
            out.append(
                "Recurring: \(s.pipeline)/\(s.step) \(s.failureClass) on \(s.longestStreak) consecutive days (\(s.healed) of \(s.occurrences) healed): \"\(s.pattern)\". Fix it at the source; heal alerts on it until it stops."
            )
        }
        return out
    }
}

extension WeeklyReportBuilder {
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
