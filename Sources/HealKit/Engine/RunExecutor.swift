import Foundation

/// Walks a playbook's steps through the escalation ladder: retry → remediation + re-check → alert.
public struct RunExecutor: Sendable {
    public let home: HealHome
    public let config: ProjectConfig
    public let store: MetadataStore
    public var observer: @Sendable (RunEvent) -> Void = { _ in }
    /// Waits between retries; tests may shorten it, users never need to.
    /// Asked before each step; true stops the run there (the daemon sets it on SIGTERM).
    public var shouldStop: @Sendable () -> Bool = { false }
    /// The running step's rows, sampled by the command line to show progress.
    public let progress = RowProgress()
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    public init(home: HealHome, config: ProjectConfig, store: MetadataStore) {
        self.home = home
        self.config = config
        self.store = store
    }

    public func run(pipeline name: String, options: RunOptions) async throws -> RunSummary {
        guard let playbook = config.playbooks[name] else {
            let known = config.playbooks.keys.sorted()
            throw UsageError("no playbook named '\(name)' in \(home.display(home.playbooks))/\(NearMiss.hint(for: name, among: known))"
                + (known.isEmpty ? "" : " (playbooks: \(known.joined(separator: ", ")))"))
        }
        let skills = try playbook.steps.map { step -> any Skill in
            guard let skillConfig = config.skills[step.skill] else { throw UsageError("step '\(step.name)': no skill config '\(step.skill)'") }
            return try SkillFactory.skill(skillConfig)
        }
        let date = options.date ?? CalendarDate.of(options.now, in: playbook.timeZone).adding(days: -1)
        let runID = RunExecutor.makeRunID(options.now)
        var context = RunContext(home: home, playbook: playbook, runID: runID, date: date, force: options.force,
                                 variables: options.variables, environment: options.environment, store: store)
        context.skillConfigs = config.skills
        context.progress = progress
        var record = RunRecord(id: runID, pipeline: playbook.name, logicalDate: date.description, status: RunStatus.running.rawValue,
                               startedAt: Timestamp.now(), forced: options.force)
        try store.insertRun(record)
        observer(.started(runID: runID, pipeline: playbook.name, date: date.description))

        var walk = RunWalk(executor: self, context: context, playbook: playbook)
        var stepSummaries: [RunSummary.StepSummary] = []
        var artifact: Artifact?
        var outcome: (status: RunStatus, error: String?)?
        var healed = false
        var hasLoad = false
        // Watermarks fetched in this run, kept only once a load commits (or, with no load step, the run passes).
        var pendingWatermarks: [Watermark] = []

        for (index, (step, skill)) in zip(playbook.steps, skills).enumerated() {
            if outcome != nil {
                stepSummaries.append(.init(name: step.name, skill: step.skill, status: "not_run", attempts: []))
                continue
            }
            if shouldStop() {
                outcome = (.interrupted, "interrupted before step \(step.name): every earlier step is committed, nothing after it ran")
                stepSummaries.append(.init(name: step.name, skill: step.skill, status: "not_run", attempts: []))
                continue
            }
            walk.context = context
            let input = StepInput(stepIndex: index, stepName: step.name, artifact: artifact)
            let result = try await walk.climb(step: step, skill: skill, input: input)
            stepSummaries.append(.init(name: step.name, skill: step.skill, status: result.stepStatus, attempts: walk.trace))
            switch result.final.outcome {
            case .fail:
                if step.critical {
                    outcome = (.failed, "\(step.name): \(result.final.failureClass?.rawValue ?? "failed"): \(result.final.details)")
                }
                continue
            case .skip:
                outcome = (.skipped, result.final.details)
                // Skipped as already loaded from the same input: that load committed, so its watermark holds.
                if skill is LoadSkill { try commit(&pendingWatermarks, runID: runID, pipeline: playbook.name) }
                continue
            case .pass:
                break
            }
            healed = healed || result.healed
            if let watermark = result.final.watermark { pendingWatermarks.append(watermark) }
            if skill is LoadSkill { try commit(&pendingWatermarks, runID: runID, pipeline: playbook.name) }
            if let next = result.final.artifact {
                if next.url != artifact?.url {
                    try store.insertArtifact(ArtifactRecord(runId: runID, step: step.name, path: home.display(next.url), sha256: next.sha256,
                                                            rows: next.rows, bytes: next.bytes, createdAt: Timestamp.now()))
                }
                artifact = next
            }
            if let load = skill as? LoadSkill {
                hasLoad = true
                context.lastLoad = LoadTarget(target: load.target, table: load.table)
            }
            if skill is FetchSkill, context.sourceSHA256 == nil, let fetched = artifact {
                context.sourceSHA256 = fetched.sha256
                record.sourceSha256 = fetched.sha256
                if !options.force, let prior = try alreadyLoaded(skills: skills, sha: fetched.sha256, context: context) {
                    outcome = (.skipped, prior)
                    try commit(&pendingWatermarks, runID: runID, pipeline: playbook.name)
                }
            }
        }

        var rows = walk.rows
        var status: RunStatus
        var error: String?
        if let outcome {
            (status, error) = outcome
        } else {
            let passed = hasLoad ? rows.loaded : (artifact?.rows ?? 0)
            if rows.read != passed + rows.quarantined + rows.deduplicated + rows.updated {
                status = .failed
                error = "row accounting does not balance: read \(rows.read) ≠ loaded \(passed) + quarantined \(rows.quarantined) + deduplicated \(rows.deduplicated) + updated \(rows.updated)"
                await walk.raise(step: "accounting", skill: "accounting", failure: .internal, summary: error!, trace: [])
            } else if rows.read > 0 && Double(rows.quarantined) / Double(rows.read) * 100 > playbook.thresholds.quarantineWarnPct {
                status = .partial
            } else {
                status = healed ? .healed : .succeeded
            }
        }
        if !hasLoad && [.succeeded, .healed, .partial].contains(status) { try commit(&pendingWatermarks, runID: runID, pipeline: playbook.name) }
        if status != .skipped && status != .interrupted { await walk.escalateRecurring() }
        if status == .skipped { rows = RunSummary.Rows() }
        record.status = status.rawValue
        record.finishedAt = Timestamp.now()
        record.rowsRead = rows.read
        record.rowsLoaded = rows.loaded
        record.rowsQuarantined = rows.quarantined
        record.rowsDeduplicated = rows.deduplicated
        record.rowsUpdated = rows.updated
        record.error = error
        try store.updateRun(record)
        // The metrics page for node_exporter's textfile collector; a failure to write it never fails the run.
        try? PrometheusMetrics.write(store, to: home.metricsFile)
        return RunSummary(runID: runID, pipeline: playbook.name, date: date.description, status: status, rows: rows,
                          steps: stepSummaries, alerts: walk.alerts, error: error)
    }

    func commit(_ watermarks: inout [Watermark], runID: String, pipeline: String) throws {
        for watermark in watermarks {
            try store.setWatermark(pipeline: pipeline, source: watermark.source, value: watermark.value, runID: runID)
        }
        watermarks.removeAll()
    }

    /// A re-run of a date whose input is already in every load target is skipped before any work.
    func alreadyLoaded(skills: [any Skill], sha: String, context: RunContext) throws -> String? {
        let loads = skills.compactMap { $0 as? LoadSkill }
        guard !loads.isEmpty else { return nil }
        var runs: [String] = []
        for load in loads {
            guard let entry = try load.priorLoad(sourceSHA256: sha, in: context) else { return nil }
            runs.append(entry.runID)
        }
        return "\(context.date) was already loaded from this same input by run \(runs[0]); nothing to do (use --force to load it again)"
    }

    static func makeRunID(_ now: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        return "\(formatter.string(from: now))-\(String(format: "%04x", UInt16.random(in: 0...UInt16.max)))"
    }
}
