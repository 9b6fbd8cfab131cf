import Foundation

/// `validate_quality`: content rules (not_null, unique, range, allowed, pattern) and the day's volume against history.
public struct ValidateQualitySkill: RowChecking {
    public let config: SkillConfig
    let spec: QualitySpec

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        let artifact = try input.requireArtifact()
        let shown = context.home.display(artifact.url)
        do {
            let reader = try context.open(artifact, flaws: .deliver)
            let checker = try makeRowChecker(for: artifact, header: reader.header, in: context)
            let spool = rejectSpool(for: artifact, header: reader.header, input: input, in: context)
            let watch = ProfileWatch.make(header: reader.header, artifact: artifact, policy: spec.drift, input: input, context: context)
            let (rows, tally, rejected) = try checker.scan(reader, spool: spool, observe: watch.map { w in { w.add($0) } })
            var figures = ["rows": rows, "failing_rows": tally.total]
            var annotated = artifact
            annotated.rows = rows
            let drift = try watch.map { try judge($0, input: input, context: context, figures: &figures) } ?? DriftOutcome()
            if let failure = drift.failure {
                var result = SkillResult.fail(.drift, failure, figures: figures, rows: RowDelta(read: rows))
                result.evidence = drift.evidence
                return result
            }
            let volume = try volumeProblem(rows: rows, in: context, figures: &figures)
            var result: SkillResult
            if tally.total > 0 {
                let extra = volume.map { "; also \($0)" } ?? ""
                result = rowsFailed(
                    .qualityViolation,
                    "\(tally.summary(rows: rows))\(extra)",
                    figures: figures,
                    rows: rows,
                    failing: tally.total,
                    rejected: rejected,
                    checked: artifact
                )
            } else if let volume {
                result = .fail(.volumeAnomaly, volume, figures: figures, rows: RowDelta(read: rows))
            } else {
                result = .pass(
                    "\(Noun.count(rows, "row")) pass \(Noun.count(spec.rules.count, "rule"))\(drift.note)",
                    figures: figures,
                    artifact: annotated,
                    rows: RowDelta(read: rows)
                )
            }
            result.warnings = drift.warnings
            result.evidence = drift.evidence
            return result
        } catch let error as TableError {
            return .fail(.parseError, "\(shown):\(error.line): \(error.problem)")
        }
    }

    public func recheck(_ view: Artifact, after failure: SkillResult, input: StepInput, in context: RunContext) throws -> SkillResult {
        let rows = view.rows ?? 0
        var figures = ["rows": rows, "failing_rows": 0]
        if let volume = try volumeProblem(rows: rows, in: context, figures: &figures) {
            return .fail(.volumeAnomaly, volume, figures: figures, rows: RowDelta(read: rows))
        }
        let left = failure.rejected?.rows.count ?? 0
        return .pass(
            "\(Noun.count(rows, "row")) pass \(Noun.count(spec.rules.count, "rule")) (judged in the first pass; the \(left) failing rows are left out)",
            figures: figures,
            artifact: view,
            rows: RowDelta(read: rows)
        )
    }

    struct DriftOutcome {
        var failure: String?
        var warnings: [Departure] = []
        var evidence: [String] = []
        /// "; profiles like their last 7 days" for the step's details.
        var note = ""
    }

    /// The watched columns against their history; the day's profiles are stored pending (accepted with the load).
    func judge(_ watch: ProfileWatch, input: StepInput, context: RunContext, figures: inout [String: Int]) throws -> DriftOutcome {
        let steps = context.playbook.steps
        // In a repair's gate the input is the schema step's; the history is this step's.
        let step =
            steps.indices.contains(input.stepIndex) && steps[input.stepIndex].skill == config.name
            ? input.stepName : (steps.first { $0.skill == config.name }?.name ?? input.stepName)
        let profiles = watch.profiles
        let verdict = try watch.verdict(profiles, step: step, context: context)
        var outcome = DriftOutcome(evidence: verdict.evidence)
        figures["history_days"] = verdict.days
        let failing = verdict.departures.filter { $0.level == .fail }
        outcome.warnings = verdict.departures.filter { $0.level == .warn || context.acceptDrift }
        if !context.judgingProposal {
            try context.store.recordDrift(
                run: context.runID,
                pipeline: context.pipeline,
                date: context.date.description,
                step: step,
                verdict.departures,
                accepted: context.acceptDrift
            )
        }
        if !failing.isEmpty && !context.acceptDrift {
            figures["drifted_columns"] = Set(failing.map(\.column)).count
            let warned = outcome.warnings.isEmpty ? "" : "; also (warn) \(outcome.warnings.map(\.detail).joined(separator: "; "))"
            outcome.failure = "\(failing.map(\.detail).joined(separator: "; "))\(warned)"
            return outcome
        }
        if !context.judgingProposal {
            try context.store.saveProfiles(
                run: context.runID,
                pipeline: context.pipeline,
                step: step,
                date: context.date.description,
                profiles
            )
        }
        if verdict.judged {
            outcome.note =
                verdict.departures.isEmpty
                ? "; \(Noun.count(profiles.count, "column")) like their history (\(verdict.days)+ days)"
                : "; drift (warn): \(verdict.departures.map(\.detail).joined(separator: "; "))"
        }
        return outcome
    }

    /// Row count within ±pct of the median of the last N loaded runs; passes with no history.
    func volumeProblem(rows: Int, in context: RunContext, figures: inout [String: Int]) throws -> String? {
        if context.mode.isRelease { return nil }
        for case .rowCount(let pct, let history) in spec.rules {
            let volumes = try context.store.recentVolumes(pipeline: context.pipeline, before: context.date.description, limit: history)
            guard !volumes.isEmpty else { continue }
            let sorted = volumes.sorted()
            let median =
                sorted.count % 2 == 1
                ? Double(sorted[sorted.count / 2]) : Double(sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            figures["median_rows"] = Int(median)
            let deviation = median == 0 ? (rows == 0 ? 0 : 100) : abs(Double(rows) - median) / median * 100
            if deviation > pct {
                return String(
                    format:
                        "%d rows is %.1f%% away from the median %.0f of the last %d runs (allowed ±%g%%); the file may be incomplete or doubled",
                    rows,
                    deviation,
                    median,
                    volumes.count,
                    pct
                )
            }
        }
        return nil
    }

    public func makeRowChecker(for artifact: Artifact, header: [String], in context: RunContext) throws -> RowChecker {
        func index(_ column: String, _ rule: QualityRule) throws -> Int {
            try ColumnLookup.position(of: column, among: header, in: "the file", for: "rule \(rule.name) in skills/\(config.name).yml")
        }
        var checks: [QualityRowChecker.Check] = []
        var uniques: [(rule: QualityRule, indexes: [Int])] = []
        for rule in spec.rules {
            switch rule {
            case .notNull(let columns):
                for c in columns { checks.append(.notNull(try index(c, rule), c)) }
            case .unique(let columns):
                uniques.append((rule, try columns.map { try index($0, rule) }))
            case .range(let c, let min, let max):
                checks.append(.range(try index(c, rule), c, RangeBounds(min: min, max: max)))
            case .allowed(let c, let values):
                checks.append(.allowed(try index(c, rule), c, Set(values)))
            case .pattern(let c, let regex):
                checks.append(.pattern(try index(c, rule), c, try BytePattern(regex), regex))
            case .rowCount:
                break
            }
        }
        return QualityRowChecker(checks: checks, uniques: uniques.map { ($0.indexes, $0.rule.columns) })
    }
}

/// Applies the rules in order; unique keys are recorded only for rows that pass every other rule (first one wins).
final class QualityRowChecker: RowChecker {
    enum Check {
        case notNull(Int, String)
        case range(Int, String, RangeBounds)
        case allowed(Int, String, Set<String>)
        case pattern(Int, String, BytePattern, String)
    }

    let checks: [Check]
    let uniques: [(indexes: [Int], columns: [String])]
    /// Keys seen so far: the one structure that grows with the file.
    let seen: [KeySet]
    /// The common case, one rule on one column, without the general path's arrays.
    private let singleKey: (column: Int, keys: KeySet)?
    private var scratch: [UInt8] = []

    init(checks: [Check], uniques: [(indexes: [Int], columns: [String])]) {
        self.checks = checks
        self.uniques = uniques
        seen = uniques.map { _ in KeySet() }
        singleKey = uniques.count == 1 && uniques[0].indexes.count == 1 ? (uniques[0].indexes[0], seen[0]) : nil
    }

    func check(_ row: RowView) -> Violation? {
        for check in checks {
            switch check {
            case .notNull(let i, let c):
                if row[i].trimmed.isEmpty {
                    return Violation(failureClass: .qualityViolation, rule: "not_null", column: c, value: "", reason: "\(c) is empty")
                }
            case .range(let i, let c, let bounds):
                let value = row[i].trimmed
                if value.isEmpty { continue }
                if bounds.surelyWithin(value) { continue }
                let (min, max) = (bounds.min, bounds.max)
                guard let number = ValueParser.decimal(value) else {
                    return Violation(
                        failureClass: .qualityViolation,
                        rule: "range",
                        column: c,
                        value: value.string,
                        reason: "\(c) \(Text.quoted(value.string)) is not a number"
                    )
                }
                if let min, number < min {
                    return Violation(
                        failureClass: .qualityViolation,
                        rule: "range",
                        column: c,
                        value: value.string,
                        reason: "\(c) \(value.string) is below the minimum \(min.plainText)"
                    )
                }
                if let max, number > max {
                    return Violation(
                        failureClass: .qualityViolation,
                        rule: "range",
                        column: c,
                        value: value.string,
                        reason: "\(c) \(value.string) is above the maximum \(max.plainText)"
                    )
                }
            case .allowed(let i, let c, let values):
                let value = row[i].trimmed
                if !value.isEmpty && !values.contains(value.string) {
                    return Violation(
                        failureClass: .qualityViolation,
                        rule: "allowed",
                        column: c,
                        value: value.string,
                        reason: "\(c) \(Text.quoted(value.string)) is not one of the allowed values"
                    )
                }
            case .pattern(let i, let c, let pattern, let source):
                let value = row[i].trimmed
                if !value.isEmpty && !pattern.matches(value) {
                    return Violation(
                        failureClass: .qualityViolation,
                        rule: "pattern",
                        column: c,
                        value: value.string,
                        reason: "\(c) \(Text.quoted(value.string)) does not match \(source)"
                    )
                }
            }
        }
        if uniques.isEmpty { return nil }
        if let single = singleKey {
            return single.keys.insert(UnsafeRawBufferPointer(row[single.column].trimmed.buffer)) ? nil : duplicate(uniques[0], row)
        }
        for (n, unique) in uniques.enumerated() where withKey(unique.indexes, row, { seen[n].contains($0) }) {
            return duplicate(unique, row)
        }
        for (n, unique) in uniques.enumerated() { _ = withKey(unique.indexes, row) { seen[n].insert($0) } }
        return nil
    }

    /// The key's bytes: one trimmed field as it is, several as a composite key.
    @inline(__always)
    private func withKey(_ indexes: [Int], _ row: RowView, _ body: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        if indexes.count == 1 { return body(UnsafeRawBufferPointer(row[indexes[0]].trimmed.buffer)) }
        KeySet.composite(indexes.map { row[$0].trimmed }, into: &scratch)
        return scratch.withUnsafeBytes(body)
    }

    private func duplicate(_ unique: (indexes: [Int], columns: [String]), _ row: RowView) -> Violation {
        let shown = unique.indexes.map { row[$0].trimmed.string }.joined(separator: ", ")
        return Violation(
            failureClass: .qualityViolation,
            rule: "unique",
            column: unique.columns.joined(separator: "+"),
            value: shown,
            reason: "\(unique.columns.joined(separator: "+")) \(Text.quoted(shown)) was already seen earlier in the file"
        )
    }
}

/// A range rule's bounds, kept as Decimal (exact, for the messages) and as scaled integers for the hot path.
struct RangeBounds {
    let min: Decimal?
    let max: Decimal?
    /// Both given bounds as (significand, scale); nil when one does not fit, and Decimal decides every value.
    private let scaled: (min: (Int64, Int)?, max: (Int64, Int)?)?

    init(min: Decimal?, max: Decimal?) {
        self.min = min
        self.max = max
        func exact(_ d: Decimal?) -> (Int64, Int)?? {
            guard let d else { return .some(nil) }
            if case .exact(let s, let e) = ExactValue(d) { return .some((s, e)) }
            return nil
        }
        if let lower = exact(min), let upper = exact(max) { scaled = (lower, upper) } else { scaled = nil }
    }

    /// True only when the value is plain decimal text inside both bounds; false means "ask Decimal".
    @inline(__always)
    func surelyWithin(_ value: FieldBytes) -> Bool {
        guard let scaled, let (s, e) = ValueParser.scaled(value) else { return false }
        func compare(_ bound: (Int64, Int)) -> Int? {
            let scale = Swift.max(e, bound.1)
            let (a, o1) = s.multipliedReportingOverflow(by: ExactValue.powers[scale - e])
            let (b, o2) = bound.0.multipliedReportingOverflow(by: ExactValue.powers[scale - bound.1])
            guard !o1, !o2 else { return nil }
            return a < b ? -1 : a > b ? 1 : 0
        }
        if let lower = scaled.min { guard let c = compare(lower), c >= 0 else { return false } }
        if let upper = scaled.max { guard let c = compare(upper), c <= 0 else { return false } }
        return true
    }
}

extension QualitySpec: StepSettings {
    public func makeSkill(_ config: SkillConfig) -> any Skill { ValidateQualitySkill(config: config, spec: self) }
}
