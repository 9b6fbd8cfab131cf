import Foundation

/// The ladder for one step at a time, and each source's row accounting as its steps report it.
struct RunWalk {
    let executor: RunExecutor
    let context: RunContext
    let playbook: Playbook
    /// The source the current step works on (see `SourceChains`).
    var source = ""
    private(set) var rowsBySource: [String: RunSummary.Rows] = [:]
    private(set) var trace: [AttemptSummary] = []
    private(set) var alerts: [RunSummary.AlertBrief] = []
    private var readKnown: Set<String> = []

    init(executor: RunExecutor, context: RunContext, playbook: Playbook) {
        self.executor = executor
        self.context = context
        self.playbook = playbook
    }

    /// Takes a source's rows as an interrupted run's checkpoint left them.
    mutating func restore(_ rows: RunSummary.Rows, of source: String, counted: Bool) {
        rowsBySource[source] = rows
        if counted { readKnown.insert(source) }
    }

    /// Whether some step counted this source's rows (a fetch alone does not).
    func counted(_ source: String) -> Bool { readKnown.contains(source) }

    /// The rows a load of this source must write for its accounting to balance; nil before any step counted them.
    func rowsLeftToLoad(of source: String) -> Int? {
        guard readKnown.contains(source), let r = rowsBySource[source] else { return nil }
        return r.read - r.quarantined - r.deduplicated - r.loaded - r.updated
    }

    struct Climb {
        var final: SkillResult
        var healed: Bool
        var stepStatus: StepStatus
    }

    mutating func climb(step: Step, skill: any Skill, input: StepInput) async throws -> Climb {
        trace = []
        let policy = step.retry ?? playbook.retry
        // Level 1: retry retryable classes with capped exponential backoff.
        var result = SkillResult.fail(.internal, "not run")
        for attempt in 1...policy.attempts {
            result = try await attemptSkill(
                step: step,
                name: skill.config.name,
                kind: skill.config.kind,
                level: 1,
                attempt: attempt
            ) {
                try await skill.run(input, in: $0)
            }
            guard result.outcome == .fail, result.retryAllowed, let failure = result.failureClass, policy.retryable.contains(failure),
                attempt < policy.attempts
            else { break }
            try await pause(policy.delay(beforeRetry: attempt))
        }
        // Drift at warning level: the step goes on, and a person hears of each departure.
        for departure in result.warnings {
            await raise(
                step: step.name,
                skill: skill.config.name,
                failure: .drift,
                summary: "drift (warning): \(departure.detail)",
                trace: [],
                severity: .warning,
                signatureDetails: "\(departure.column) \(departure.check.rawValue)",
                suggestion:
                    "the day loaded and its values are history now; if the change is not expected, ask the producer (heal profile \(context.pipeline) \(departure.column) shows the history)"
            )
        }
        if result.outcome != .fail {
            account(result)
            return Climb(final: result, healed: false, stepStatus: result.outcome == .skip ? .skipped : .passed)
        }
        // Level 2: each remediation mapped to the class, then the step's own check on what it produced.
        // A re-check that fails with another class that has remediations of its own climbs on from there
        // (a repaired header may still carry a few bad rows for quarantine).
        let firstFailure = result
        var current = (input: input, failure: firstFailure)
        var handled: Set<FailureClass> = []
        var pendingQuarantine = 0
        var nextAction: String?
        chain: while let failureClass = current.failure.failureClass, handled.insert(failureClass).inserted {
            for (n, remedyName) in (step.onFailure[failureClass] ?? []).enumerated() {
                guard let config = executor.config.skills[remedyName], let remedy = SkillFactory.remediation(config) else { continue }
                let failure = StepFailure(step: step, skill: skill, input: current.input, result: current.failure)
                let repaired = try await attemptSkill(step: step, name: remedyName, kind: config.kind, level: 2, attempt: n + 1) {
                    try await remedy.remediate(failure, in: $0)
                }
                if let next = repaired.nextAction { nextAction = next }
                guard repaired.outcome == .pass, let artifact = repaired.artifact else { continue }
                var recheckInput = current.input
                recheckInput.artifact = artifact
                let checked = current
                var recheck = try await attemptSkill(step: step, name: skill.config.name, kind: .recheck, level: 2, attempt: n + 1) {
                    if let rowChecking = skill as? any RowChecking, let before = checked.input.artifact,
                        type(of: rowChecking).isOwnQuarantine(artifact, of: before, after: checked.failure)
                    {
                        return try rowChecking.recheck(artifact, after: checked.failure, input: recheckInput, in: $0)
                    }
                    return try await skill.recheck(recheckInput, in: $0)
                }
                if recheck.outcome == .pass {
                    if recheck.artifact == nil { recheck.artifact = artifact }
                    rowsBySource[source, default: .init()].quarantined += pendingQuarantine + repaired.rows.quarantined
                    // A remediation that wrote to the warehouse (upsert) loaded the rows; its re-check only verifies them.
                    rowsBySource[source, default: .init()].loaded += repaired.rows.loaded
                    rowsBySource[source, default: .init()].updated += repaired.rows.updated
                    account(recheck)
                    return Climb(final: recheck, healed: true, stepStatus: .healed)
                }
                if let next = recheck.failureClass, !handled.contains(next), step.onFailure[next] != nil {
                    pendingQuarantine += repaired.rows.quarantined
                    current = (recheckInput, recheck)
                    continue chain
                }
            }
            break
        }
        // Level 3: one alert with the whole trace.
        await raise(
            step: step.name,
            skill: step.skill,
            failure: firstFailure.failureClass,
            summary: firstFailure.details,
            trace: trace,
            suggestion: nextAction
        )
        return Climb(final: firstFailure, healed: false, stepStatus: .failed)
    }

    /// Waits before a retry in short slices, so a stop request is heard within a quarter second: a retry wait is a
    /// safe point to stop at, since the step has committed nothing.
    private func pause(_ delay: Duration) async throws {
        try await RunStopped.pause(delay, stop: executor.shouldStop, sleep: executor.sleep)
    }

    /// Adds what a passing step did to the run's accounting.
    private mutating func account(_ result: SkillResult) {
        rowsBySource[source, default: .init()].deduplicated += result.rows.deduplicated
        rowsBySource[source, default: .init()].loaded += result.rows.loaded
        rowsBySource[source, default: .init()].updated += result.rows.updated
    }

    /// Runs one attempt, times it, turns thrown errors into failures, records it.
    private mutating func attemptSkill(
        step: Step,
        name: String,
        kind: SkillKind,
        level: Int,
        attempt: Int,
        _ body: (RunContext) async throws -> SkillResult
    ) async throws -> SkillResult {
        let started = Date()
        let clock = ContinuousClock.now
        var result: SkillResult
        context.progress.begin(step.name)
        defer { context.progress.end() }
        do {
            result = try await body(context)
        } catch let stopped as RunStopped {
            // Not a failure of the step: the run was asked to stop while the step read its file.
            throw stopped
        } catch let failure as SkillFailure {
            result = .fail(failure.failureClass, failure.details)
        } catch let error as TableError {
            result = .fail(.parseError, error.description)
        } catch {
            result = .fail(.internal, "\(error)")
        }
        context.progress.end()
        return try record(
            result,
            step: step,
            name: name,
            kind: kind,
            level: level,
            attempt: attempt,
            started: started,
            elapsed: ContinuousClock.now - clock
        )
    }

    /// A level-1 pass that ran outside the ladder (a fused pass: see `RunPass.fused`), recorded and accounted as
    /// `climb` records and accounts one.
    mutating func passed(_ result: SkillResult, step: Step, skill: any Skill, started: Date, elapsed: Duration) throws -> Climb {
        trace = []
        let recorded = try record(
            result,
            step: step,
            name: skill.config.name,
            kind: skill.config.kind,
            level: 1,
            attempt: 1,
            started: started,
            elapsed: elapsed
        )
        account(recorded)
        return Climb(final: recorded, healed: false, stepStatus: .passed)
    }

    /// Records one attempt: its details with secrets redacted, the source's first row count, the trace, the row in
    /// metadata.db, and the event for the terminal.
    private mutating func record(
        _ result: SkillResult,
        step: Step,
        name: String,
        kind: SkillKind,
        level: Int,
        attempt: Int,
        started: Date,
        elapsed: Duration
    ) throws -> SkillResult {
        var result = result
        // Details may quote a server's answer, which can echo a credential back.
        result.details = context.secrets.redact(result.details)
        // The first count of a source's rows is what the run read from it, whichever step made it.
        if !readKnown.contains(source), let read = result.rows.read {
            rowsBySource[source, default: .init()].read = read
            readKnown.insert(source)
        }
        let summary = AttemptSummary(
            level: level,
            skill: name,
            attempt: attempt,
            outcome: result.outcome,
            failureClass: result.failureClass,
            details: result.details,
            durationMs: Int(elapsed.milliseconds)
        )
        trace.append(summary)
        let figures = (try? StoredJSON(encoding: result.figures)) ?? "{}"
        try context.store.insertAttempt(
            AttemptRecord(
                runId: context.runID,
                step: step.name,
                skill: name,
                kind: kind,
                level: level,
                attempt: attempt,
                outcome: result.outcome,
                failureClass: result.failureClass,
                details: result.details,
                figures: figures,
                startedAt: Timestamp.string(started),
                durationMs: Int(elapsed.milliseconds),
                artifact: result.artifact.flatMap { $0.stream == nil ? context.home.display($0.url) : nil }
            )
        )
        executor.observer(.attempt(step: step.name, summary))
        return result
    }

    /// Level 3: records the alert and sends it where the playbook routes it; a failing sink never fails the run.
    mutating func raise(
        step: String,
        skill: String,
        failure: FailureClass?,
        summary: String,
        trace: [AttemptSummary],
        severity: AlertSeverity = .critical,
        signatureDetails: String? = nil,
        suggestion: String? = nil,
        resolves: [String]? = nil
    ) async {
        // What an alert quotes may come from a file; it goes to Slack and pagers, so each text is cut short.
        let summary = Text.clipped(context.secrets.redact(summary))
        let trace = trace.map { attempt in
            var attempt = attempt
            attempt.details = Text.clipped(attempt.details, 1000)
            return attempt
        }
        var alert = Alert(
            id: "\(context.runID)-\(alerts.count + 1)",
            pipeline: context.pipeline,
            date: context.date.description,
            runID: context.runID,
            step: step,
            skill: skill,
            failureClass: failure,
            summary: summary,
            attempts: trace,
            suggestion: suggestion ?? Alert.suggestion(for: failure, pipeline: context.pipeline, date: context.date.description),
            inspect: "heal runs show \(context.runID)",
            createdAt: Timestamp.now()
        )
        alert.severity = severity
        alert.resolves = resolves
        // A resolved notification is never a repeat of another: each ends its own failures.
        alert.signature =
            severity == .resolved
            ? ""
            : FailureSignature(
                pipeline: context.pipeline,
                step: step,
                failureClass: failure,
                details: signatureDetails ?? summary
            ).description
        alerts.append(.init(id: alert.id, step: step, failureClass: failure, summary: summary, severity: severity))
        let delivery = await AlertDispatcher(playbook: playbook, context: context).dispatch(alert)
        executor.observer(.alert(alert, delivery: delivery))
    }

    /// After a good run: tells the routes that paged about this pipeline's failures that it works again, naming
    /// the failed dates still not loaded, since a good night does not load the night that failed.
    mutating func announceResolved(status: RunStatus) async {
        guard let open = try? context.store.openFailures(pipeline: context.pipeline, excludingRun: context.runID), !open.alerts.isEmpty
        else { return }
        let today = context.date.description
        let unloaded = open.unloadedDates.filter { $0 != today }
        let failed = open.alerts.map { "\($0.logicalDate) at step '\($0.step)' (\($0.failureClass?.rawValue ?? "unknown"))" }
        var ended: [String] = []
        for failure in failed where !ended.contains(failure) { ended.append(failure) }
        var summary =
            "run \(status.rawValue); this ends \(open.alerts.count == 1 ? "the alert" : "\(Noun.count(open.alerts.count, "alert"))") for \(ended.joined(separator: ", "))"
        let suggestion: String
        if unloaded.isEmpty {
            suggestion = "nothing to do"
        } else {
            summary += "; still not loaded: \(unloaded.joined(separator: ", "))"
            suggestion =
                unloaded.map { "heal run \(context.pipeline) --date \($0)" }.joined(separator: "; ")
                + (unloaded.count > 1
                    ? " (or heal backfill \(context.pipeline) --from \(unloaded[0]) --to \(unloaded[unloaded.count - 1]))" : "")
        }
        await raise(
            step: "run",
            skill: "resolved",
            failure: nil,
            summary: summary,
            trace: [],
            severity: .resolved,
            suggestion: suggestion,
            resolves: open.alerts.map(\.id)
        )
    }

    /// A failure seen on this date and the two before it is escalated as a warning, even when healed each day.
    mutating func escalateRecurring() async {
        guard let today = try? context.store.failureSignatures(pipeline: context.pipeline, date: context.date.description), !today.isEmpty
        else { return }
        let before = (1...2).map {
            (try? context.store.failureSignatures(pipeline: context.pipeline, date: context.date.adding(days: -$0).description)) ?? []
        }
        for signature in today.sorted(by: { $0.description < $1.description }) where before.allSatisfy({ $0.contains(signature) }) {
            await raise(
                step: signature.step,
                skill: "recurring",
                failure: FailureClass(rawValue: signature.failureClass),
                summary:
                    "the same failure on 3 consecutive days (\(context.date.adding(days: -2)) to \(context.date)), healed or not: \(signature.pattern); fix it at the source",
                trace: [],
                severity: .warning,
                signatureDetails: signature.pattern
            )
        }
    }
}
