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
    /// What asked the run to stop (`SIGTERM`), for the record; nil when nothing did.
    public var stopReason: @Sendable () -> String? = { nil }
    /// The running step's rows, sampled by the command line to show progress.
    public let progress = RowProgress()
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    public init(home: HealHome, config: ProjectConfig, store: MetadataStore) {
        self.home = home
        self.config = config
        self.store = store
    }

    /// One run; the warehouse connections it opened are closed when it ends, however it ends.
    public func run(pipeline name: String, options: RunOptions) async throws -> RunSummary {
        let warehouses = WarehouseConnections(home: home, environment: options.environment)
        do {
            let summary = try await run(pipeline: name, options: options, warehouses: warehouses)
            await warehouses.close()
            return summary
        } catch {
            await warehouses.close()
            throw error
        }
    }

    private func run(pipeline name: String, options: RunOptions, warehouses: WarehouseConnections) async throws -> RunSummary {
        guard let playbook = config.playbooks[name] else {
            let known = config.playbooks.keys.sorted()
            throw UsageError(
                "no playbook named '\(name)' in \(home.display(home.playbooks))/\(NearMiss.hint(for: name, among: known))"
                    + (known.isEmpty ? "" : " (playbooks: \(known.joined(separator: ", ")))")
            )
        }
        let skills = try playbook.steps.map { step -> any Skill in
            guard let skillConfig = config.skills[step.skill] else {
                throw UsageError("step '\(step.name)': no skill config '\(step.skill)'")
            }
            return try SkillFactory.skill(skillConfig)
        }
        let date = options.date ?? CalendarDate.of(options.now, in: playbook.timeZone).adding(days: -1)
        let runID = RunID.make(options.now)
        // One run of a pipeline at a time; held until this function returns.
        let lock = try RunLock(pipeline: playbook.name, home: home, runID: runID)
        defer { withExtendedLifetime(lock) {} }
        var record = RunRecord(
            id: runID,
            pipeline: playbook.name,
            logicalDate: date.description,
            status: .running,
            startedAt: Timestamp.now(),
            forced: options.force
        )
        try store.insertRun(record)
        CrashPoint.reach("run-start")
        // Runs left `running` by a killed process are interrupted; the newest one of this date is resumed from its
        // last verified checkpoint (unless --force asks for the whole day again).
        _ = try store.interruptAbandonedRuns(pipeline: playbook.name, by: runID)
        // A failed earlier run of this date is never resumed: its staged files go now, before this run needs room.
        cleanStaging(playbook: playbook, runID: runID, date: date)
        let resumed = options.force ? nil : try store.interruptedRun(pipeline: playbook.name, date: date.description, before: runID)
        var checkpoints = try resumed.map { try store.checkpoints(run: $0.id) } ?? []
        // The profiles its passed steps computed are this run's now, to be accepted with its load.
        if let resumed { try store.adoptProfiles(from: resumed.id, to: runID) }
        var verifiedFiles: Set<String> = []
        let context = RunContext(
            home: home,
            playbook: playbook,
            runID: runID,
            date: date,
            mode: options.force ? .forced : resumed.map { .resumed(from: $0.id) } ?? .normal,
            variables: options.variables,
            environment: options.environment,
            store: store,
            skillConfigs: config.skills,
            progress: progress,
            secrets: Secrets(environment: options.environment, names: config.sentEnvironmentNames),
            acceptDrift: options.acceptDrift,
            stopRequested: shouldStop,
            warehouses: warehouses
        )
        observer(.started(runID: runID, pipeline: playbook.name, date: date.description))

        let chains = SourceChains(playbook: playbook, skills: config.skills)
        var walk = RunWalk(executor: self, context: context, playbook: playbook)
        var stepSummaries: [RunSummary.StepSummary] = []
        // The file each step left behind (its own, or the one it read), for the steps that read it next.
        var after: [String: Artifact] = [:]
        var outcome: (status: RunStatus, error: String?)?
        var healed = false
        // Per source: the sha256 its fetch brought (its identity in the load ledger), why it was skipped,
        // and the watermarks it fetched, kept only once its load commits (or, with no load, the run passes).
        var sourceSHA: [String: String] = [:]
        // The staged file of each step that produced one (for `{artifact.STEP}`), and the run's last load.
        var artifacts: [String: String] = [:]
        var lastLoad: LoadTarget?
        var skipped: [String: String] = [:]
        var pendingWatermarks: [String: [Watermark]] = [:]
        // Steps this run ran itself (not resumed), and the sources whose load it committed: what supersedes the
        // quarantine batches earlier runs of the date left for those steps.
        var ranSteps: Set<String> = []
        var committedSources: Set<String> = []

        /// What every passed step leaves, whether it ran now or an interrupted run's checkpoint stands for it:
        /// its file for the steps after it, its source's watermark and sha256, and a checkpoint of its own.
        func settle(
            _ index: Int,
            _ skill: any Skill,
            source: String,
            output: Artifact?,
            produced: Bool,
            healedNow: Bool,
            watermark: Watermark?,
            checkpoint: CheckpointRecord?
        ) throws {
            let step = playbook.steps[index]
            after[step.name] = output
            if produced, let output { artifacts[step.name] = output.url.path }
            healed = healed || healedNow
            if let watermark { pendingWatermarks[source, default: []].append(watermark) }
            if let load = skill as? any Loading {
                committedSources.insert(source)
                try commit(&pendingWatermarks[source, default: []], runID: runID, pipeline: playbook.name)
                lastLoad = load.loadTarget
            }
            if skill is any SourceStarting, let fetched = output {
                sourceSHA[source] = fetched.sha256
                if record.sourceSha256 == nil { record.sourceSha256 = fetched.sha256 }
            }
            CrashPoint.reach("before-checkpoint:\(step.name)")
            try store.insertCheckpoint(
                checkpoint
                    ?? CheckpointRecord(
                        runId: runID,
                        stepIndex: index,
                        step: step.name,
                        source: source,
                        artifact: output.map { Self.json($0.saved(in: home)) },
                        rows: Self.json(walk.rowsBySource[source] ?? RunSummary.Rows()),
                        healed: healedNow,
                        watermark: watermark.map { Self.json($0) },
                        createdAt: Timestamp.now()
                    )
            )
            CrashPoint.reach("after-step:\(step.name)")
        }

        for (index, (step, skill)) in zip(playbook.steps, skills).enumerated() {
            let source = chains.root[index]
            if outcome != nil {
                stepSummaries.append(.init(name: step.name, skill: step.skill, status: .notRun, attempts: []))
                continue
            }
            if shouldStop() {
                outcome = (
                    .interrupted,
                    "\(interrupted()) before step \(step.name): every earlier step is committed, nothing after it ran; the next run of \(date) resumes here"
                )
                stepSummaries.append(.init(name: step.name, skill: step.skill, status: .notRun, attempts: []))
                continue
            }
            if skipped[source] != nil {
                stepSummaries.append(.init(name: step.name, skill: step.skill, status: .skipped, attempts: []))
                continue
            }
            let artifact = (step.input ?? (index > 0 ? playbook.steps[index - 1].name : nil)).flatMap { after[$0] }
            // Resume: a step the interrupted run passed, whose artifact is still there with its sha256, is not run again.
            if let checkpoint = checkpoints.first, checkpoint.stepIndex == index, checkpoint.step == step.name,
                let restored = restore(checkpoint, input: artifact, verifiedFiles: &verifiedFiles)
            {
                checkpoints.removeFirst()
                walk.restore(restored.rows, of: source, counted: restored.rows.read > 0)
                var copy = checkpoint
                copy.runId = runID
                copy.createdAt = Timestamp.now()
                try settle(
                    index,
                    skill,
                    source: source,
                    output: restored.artifact,
                    produced: checkpoint.artifact != nil,
                    healedNow: checkpoint.healed,
                    watermark: restored.watermark,
                    checkpoint: copy
                )
                stepSummaries.append(.init(name: step.name, skill: step.skill, status: .resumed, attempts: []))
                continue
            }
            checkpoints = []
            CrashPoint.reach("before-step:\(step.name)")
            walk.source = source
            var input = StepInput(stepIndex: index, stepName: step.name, artifact: artifact)
            input.sourceSHA256 = sourceSHA[source]
            input.expectedLoadRows = skill is any Loading ? walk.rowsLeftToLoad(of: source) : nil
            input.lastLoad = lastLoad
            input.artifacts = artifacts
            let result: RunWalk.Climb
            do {
                result = try await walk.climb(step: step, skill: skill, input: input)
            } catch is RunStopped {
                outcome = (
                    .interrupted,
                    "\(interrupted()) during step \(step.name) (it had committed nothing): every earlier step is committed; the next run of \(date) resumes at \(step.name)"
                )
                stepSummaries.append(.init(name: step.name, skill: step.skill, status: .interrupted, attempts: walk.trace))
                continue
            }
            stepSummaries.append(.init(name: step.name, skill: step.skill, status: result.stepStatus, attempts: walk.trace))
            ranSteps.insert(step.name)
            after[step.name] = artifact
            switch result.final.outcome {
            case .fail:
                if step.critical {
                    outcome = (.failed, "\(step.name): \(result.final.failureClass?.rawValue ?? "failed"): \(result.final.details)")
                }
                continue
            case .skip:
                // Only this source is done: the playbook's other sources still run.
                skipped[source] = result.final.details
                // Skipped as already loaded from the same input: that load committed, so its watermark holds.
                if skill is any Loading { try commit(&pendingWatermarks[source, default: []], runID: runID, pipeline: playbook.name) }
                continue
            case .pass:
                break
            }
            if let next = result.final.artifact, next.url != artifact?.url {
                try store.insertArtifact(
                    ArtifactRecord(
                        runId: runID,
                        step: step.name,
                        path: home.display(next.url),
                        sha256: next.sha256,
                        rows: next.rows,
                        bytes: next.bytes,
                        createdAt: Timestamp.now()
                    )
                )
            }
            try settle(
                index,
                skill,
                source: source,
                output: result.final.artifact ?? artifact,
                produced: result.final.artifact != nil,
                healedNow: result.healed,
                watermark: result.final.watermark,
                checkpoint: nil
            )
            if skill is any SourceStarting, let fetched = after[step.name] {
                let loads = chains.steps(of: source).compactMap { skills[$0] as? any Loading }
                // An unreachable warehouse is the load step's to retry and alert on, not a reason to stop here.
                if !context.mode.isForced, let prior = try? await alreadyLoaded(loads, sha: fetched.sha256, context: context) {
                    skipped[source] = prior
                    try commit(&pendingWatermarks[source, default: []], runID: runID, pipeline: playbook.name)
                }
            }
        }

        // The run's rows are its loaded sources' rows; reference tables balance on their own.
        let counted = chains.loaded.isEmpty ? chains.sources : chains.sources.filter { chains.loaded.contains($0) }
        let active = counted.filter { skipped[$0] == nil }
        var rows = RunSummary.Rows()
        for source in active { rows.add(walk.rowsBySource[source] ?? .init()) }
        var status: RunStatus
        var error: String?
        var partialBecause: String?
        if let outcome {
            (status, error) = outcome
        } else if active.isEmpty {
            (status, error) = (.skipped, counted.first.flatMap { skipped[$0] })
        } else if let unbalanced = chains.sources.lazy.compactMap({ source -> String? in
            guard skipped[source] == nil, let r = walk.rowsBySource[source], walk.counted(source) || chains.loaded.contains(source) else {
                return nil
            }
            let passed =
                chains.loaded.contains(source)
                ? r.loaded : (chains.steps(of: source).last.flatMap { after[playbook.steps[$0].name]?.rows } ?? 0)
            guard r.read != passed + r.quarantined + r.deduplicated + r.updated else { return nil }
            let of = chains.sources.count > 1 ? " for source \(source)" : ""
            return
                "row accounting does not balance\(of): read \(r.read) ≠ \(chains.loaded.contains(source) ? "loaded" : "passed") \(passed) + quarantined \(r.quarantined) + deduplicated \(r.deduplicated) + updated \(r.updated)"
        }).first {
            status = .failed
            error = unbalanced
            await walk.raise(step: "accounting", skill: "accounting", failure: .internal, summary: unbalanced, trace: [])
        } else if rows.read > 0 && Double(rows.quarantined) / Double(rows.read) * 100 > playbook.thresholds.quarantineWarnPct {
            status = .partial
            let share = Double(rows.quarantined) / Double(rows.read) * 100
            partialBecause =
                "\(rows.quarantined) of \(Noun.count(rows.read, "row")) quarantined (\(String(format: "%.1f", share)) %), above thresholds.quarantine_warn_pct \(ReportMarkdown.figure(playbook.thresholds.quarantineWarnPct)) % in \(playbook.file)"
        } else {
            status = healed ? .healed : .succeeded
        }
        if [.succeeded, .healed, .partial].contains(status) {
            for source in chains.sources where !chains.loaded.contains(source) {
                try commit(&pendingWatermarks[source, default: []], runID: runID, pipeline: playbook.name)
            }
        }
        if [.succeeded, .healed, .partial].contains(status) {
            // The day's values are history now: what the drift watch and repairs' gates judge later days on.
            try store.acceptProfiles(run: runID, pipeline: playbook.name, date: date.description)
        }
        if status != .skipped && status != .interrupted { await walk.escalateRecurring() }
        if [.succeeded, .healed, .partial].contains(status) { await walk.announceResolved(status: status) }
        if status == .interrupted, let error {
            // Stopped from outside (a scheduler's SIGTERM): nothing is wrong with the data, but the day is not done.
            await walk.raise(step: "run", skill: "signal", failure: nil, summary: error, trace: [], severity: .warning)
        }
        if status == .skipped { rows = RunSummary.Rows() }
        let superseding = chains.sources.filter(committedSources.contains).flatMap { chains.steps(of: $0) }
            .map { playbook.steps[$0].name }.filter(ranSteps.contains)
        if !superseding.isEmpty {
            try store.supersedeQuarantine(pipeline: playbook.name, date: date.description, steps: superseding, by: runID)
        }
        CrashPoint.reach("run-finish")
        record.status = status
        record.finishedAt = Timestamp.now()
        record.rowsRead = rows.read
        record.rowsLoaded = rows.loaded
        record.rowsQuarantined = rows.quarantined
        record.rowsDeduplicated = rows.deduplicated
        record.rowsUpdated = rows.updated
        record.error = error
        try store.updateRun(record)
        cleanStaging(playbook: playbook, runID: runID, date: date)
        // The metrics page for node_exporter's textfile collector; a failure to write it never fails the run.
        try? PrometheusMetrics.write(store, to: home.metricsFile)
        var sources: [RunSummary.SourceSummary]?
        if chains.sources.count > 1 {
            sources = chains.sources.map { source in
                let role: SourceRole = skipped[source] != nil ? .skipped : chains.loaded.contains(source) ? .loaded : .reference
                return .init(name: source, role: role, rows: walk.rowsBySource[source] ?? .init(), note: skipped[source])
            }
        }
        var summary = RunSummary(
            runID: runID,
            pipeline: playbook.name,
            date: date.description,
            status: status,
            rows: rows,
            steps: stepSummaries,
            alerts: walk.alerts,
            error: error,
            sources: sources
        )
        summary.partialBecause = partialBecause
        return summary
    }

    /// A checkpoint's artifact (verified on disk), rows and watermark; nil when its file is gone or changed.
    func restore(
        _ checkpoint: CheckpointRecord,
        input: Artifact?,
        verifiedFiles: inout Set<String>
    ) -> (artifact: Artifact?, rows: RunSummary.Rows, watermark: Watermark?)? {
        let decoder = JSONDecoder()
        guard let rows = try? decoder.decode(RunSummary.Rows.self, from: Data(checkpoint.rows.utf8)) else { return nil }
        var artifact = input
        if let text = checkpoint.artifact {
            guard let saved = try? decoder.decode(Artifact.Saved.self, from: Data(text.utf8)),
                let verified = Artifact.verified(saved, in: home, files: &verifiedFiles)
            else { return nil }
            artifact = verified
        }
        let watermark = checkpoint.watermark.flatMap { try? decoder.decode(Watermark.self, from: Data($0.utf8)) }
        return (artifact, rows, watermark)
    }

    /// Removes the staged files of finished runs past the playbook's retention, and of runs a later run of the same
    /// date replaced, so a disk does not fill with retries; a failure to remove never fails the run.
    func cleanStaging(playbook: Playbook, runID: String, date: CalendarDate) {
        let cutoff = Timestamp.string(Date().addingTimeInterval(-Double(playbook.retention.stagingDays) * 86_400))
        guard let runs = try? store.stagingToRemove(pipeline: playbook.name, before: cutoff, keep: runID, date: date.description) else {
            return
        }
        let folder = home.staging.appendingPathComponent(playbook.name)
        for run in runs where !run.contains("/") && !run.contains("..") {
            let url = folder.appendingPathComponent(run)
            if FileManager.default.fileExists(atPath: url.path) { try? FileManager.default.removeItem(at: url) }
        }
    }

    /// "interrupted by SIGTERM", or just "interrupted" when nothing said what asked.
    func interrupted() -> String { "interrupted" + (stopReason().map { " by \($0)" } ?? "") }

    static func json<T: Encodable>(_ value: T) -> String {
        String(decoding: (try? JSONEncoder().encode(value)) ?? Data("null".utf8), as: UTF8.self)
    }

    func commit(_ watermarks: inout [Watermark], runID: String, pipeline: String) throws {
        for watermark in watermarks {
            try store.setWatermark(pipeline: pipeline, source: watermark.source, value: watermark.value, runID: runID)
        }
        watermarks.removeAll()
    }

    /// A re-run of a date whose source is already in every load target of that source is skipped before any work.
    func alreadyLoaded(_ loads: [any Loading], sha: String, context: RunContext) async throws -> String? {
        guard !loads.isEmpty else { return nil }
        var runs: [String] = []
        for load in loads {
            guard let entry = try await load.priorLoad(sourceSHA256: sha, in: context) else { return nil }
            runs.append(entry.runID)
        }
        return "\(context.date) was already loaded from this same input by run \(runs[0]); nothing to do (use --force to load it again)"
    }
}
