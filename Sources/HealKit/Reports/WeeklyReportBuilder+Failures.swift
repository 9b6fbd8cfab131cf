import Foundation

// Failures: each failing step of each run, the remediations tried on it, its signature and streak.
extension WeeklyReportBuilder {
    /// Every step's first failure in every run read, and per remediation how often it was tried and healed in
    /// the period (healed: the re-check with the same number passed after it).
    static func occurrences(_ input: Input) -> ([Occurrence], [WeeklyReport.RemediationRate]) {
        let attemptsByRun = Dictionary(grouping: input.attempts, by: \.runId)
        var occurrences: [Occurrence] = []
        var rates: [String: WeeklyReport.RemediationRate] = [:]
        for run in input.runs {
            for (step, stepAttempts) in Dictionary(grouping: attemptsByRun[run.id] ?? [], by: \.step) {
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
                guard input.inPeriod(run.logicalDate) else { continue }
                for remedy in stepAttempts where remedy.level == 2 && remedy.kind != .recheck {
                    let key = "\(run.pipeline)\u{1F}\(step)\u{1F}\(remedy.skill)\u{1F}\(occurrence.failureClass)"
                    let healedByIt = stepAttempts.contains {
                        $0.kind == .recheck && $0.attempt == remedy.attempt && $0.outcome == .pass && $0.id ?? 0 > remedy.id ?? 0
                    }
                    var rate =
                        rates[key]
                        ?? .init(
                            pipeline: run.pipeline,
                            step: step,
                            remediation: remedy.skill,
                            failureClass: occurrence.failureClass,
                            tried: 0,
                            healed: 0,
                            rate: 0
                        )
                    rate.tried += 1
                    if healedByIt { rate.healed += 1 }
                    rate.rate = Double(rate.healed) / Double(rate.tried)
                    rates[key] = rate
                }
            }
        }
        let sorted = rates.values.sorted { ($0.pipeline, $0.step, $0.remediation) < ($1.pipeline, $1.step, $1.remediation) }
        return (occurrences, sorted)
    }

    /// Failing runs by step and class, most first.
    static func failures(_ current: [Occurrence]) -> [WeeklyReport.StepFailures] {
        var failures: [String: WeeklyReport.StepFailures] = [:]
        for o in current {
            let key = "\(o.run.pipeline)\u{1F}\(o.step)\u{1F}\(o.failureClass)"
            failures[key, default: .init(pipeline: o.run.pipeline, step: o.step, failureClass: o.failureClass, runs: 0)].runs += 1
        }
        return failures.values.sorted { ($0.runs, $1.step) > ($1.runs, $0.step) }
    }

    /// The same failure (step, class, pattern) across days, with the longest streak that reaches into the period.
    static func signatures(_ occurrences: [Occurrence], in input: Input) -> [WeeklyReport.Signature] {
        var signatures: [WeeklyReport.Signature] = []
        let groups = Dictionary(grouping: occurrences) { "\($0.run.pipeline)\u{1F}\($0.step)\u{1F}\($0.failureClass)\u{1F}\($0.pattern)" }
        for group in groups.values {
            let inside = group.filter { input.inPeriod($0.run.logicalDate) }
            guard let sample = inside.first else { continue }
            let streak = longestStreak(Set(group.map(\.run.logicalDate)), endingFrom: input.period.from)
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
        return signatures.sorted { ($0.occurrences, $1.pattern) > ($1.occurrences, $0.pattern) }
    }

    /// How long healed steps took from their first failure to the pass.
    static func timeToHeal(_ current: [Occurrence]) -> WeeklyReport.TimeToHeal {
        let healTimes = current.compactMap { $0.healed ? $0.healMs : nil }.sorted()
        return .init(
            healedSteps: healTimes.count,
            medianMs: healTimes.isEmpty ? 0 : healTimes[(healTimes.count - 1) / 2],
            maxMs: healTimes.last ?? 0
        )
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
}
