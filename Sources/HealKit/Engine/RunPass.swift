import Foundation

/// One run as it walks its playbook: what it has settled so far (each step's file, each source's sha256, why a
/// source was skipped, the watermarks waiting for their load) and, at the end, its verdict and summary.
/// `RunExecutor.run` starts it, hands it each step in turn, and finishes it.
struct RunPass {
    let executor: RunExecutor
    let playbook: Playbook
    let skills: [any Skill]
    let context: RunContext
    let chains: SourceChains
    let plan: RunPlan
    var record: RunRecord
    var walk: RunWalk
    /// The interrupted run's checkpoints still ahead: a step they cover is restored, not run again.
    var checkpoints: [CheckpointRecord]
    var verifiedFiles: Set<String> = []
    var stepSummaries: [RunSummary.StepSummary] = []
    /// The file each step left behind (its own, or the one it read), for the steps that read it next.
    var after: [String: Artifact] = [:]
    /// Set once the run cannot go on: a critical step failed, or it was asked to stop.
    var outcome: (status: RunStatus, error: String?)?
    var healed = false
    /// Per source: the sha256 its fetch brought (its identity in the load ledger), why it was skipped, and the
    /// watermarks it fetched, kept only once its load commits (or, with no load, the run passes).
    var sourceSHA: [String: String] = [:]
    var skipped: [String: String] = [:]
    var pendingWatermarks: [String: [Watermark]] = [:]
    /// The staged file of each step that produced one (for `{artifact.STEP}`), and the run's last load.
    var artifacts: [String: String] = [:]
    var lastLoad: LoadTarget?
    /// Steps this run ran itself (not resumed), and the sources whose load it committed: what supersedes the
    /// quarantine batches earlier runs of the date left for those steps.
    var ranSteps: Set<String> = []
    var committedSources: Set<String> = []
    /// Steps a fused pass has already settled (the load after a streamed transform).
    var settledAhead: Set<Int> = []

    init(
        executor: RunExecutor,
        playbook: Playbook,
        skills: [any Skill],
        context: RunContext,
        record: RunRecord,
        checkpoints: [CheckpointRecord]
    ) {
        self.executor = executor
        self.playbook = playbook
        self.skills = skills
        self.context = context
        self.record = record
        self.checkpoints = checkpoints
        chains = SourceChains(playbook: playbook, skills: context.skillConfigs)
        plan = RunPlan(playbook: playbook, skills: skills, chains: chains, configs: context.skillConfigs)
        walk = RunWalk(executor: executor, context: context, playbook: playbook)
    }

    var store: MetadataStore { context.store }
    var runID: String { context.runID }

    // MARK: steps

    /// Runs (or restores, or passes over) step `index`.
    mutating func step(_ index: Int) async throws {
        let step = playbook.steps[index]
        let skill = skills[index]
        let source = chains.root[index]
        func summary(_ status: StepStatus, _ attempts: [AttemptSummary] = []) {
            stepSummaries.append(.init(name: step.name, skill: step.skill, status: status, attempts: attempts))
        }
        if settledAhead.contains(index) { return }
        if outcome != nil { return summary(.notRun) }
        if executor.shouldStop() {
            outcome = (
                .interrupted,
                "\(executor.interrupted()) before step \(step.name): every earlier step is committed, nothing after it ran; the next run of \(context.date) resumes here"
            )
            return summary(.notRun)
        }
        if skipped[source] != nil { return summary(.skipped) }
        let artifact = (step.input ?? (index > 0 ? playbook.steps[index - 1].name : nil)).flatMap { after[$0] }
        if try restore(index, skill, source: source, input: artifact) { return summary(.resumed) }
        checkpoints = []
        CrashPoint.reach("before-step:\(step.name)")
        walk.source = source
        if let load = plan.fusions[index], context.mode == .normal || context.mode == .forced,
            try await fused(index, into: load, source: source, artifact: artifact)
        {
            return
        }
        let result: RunWalk.Climb
        do {
            result = try await walk.climb(step: step, skill: skill, input: input(index, skill, source: source, artifact: artifact))
        } catch is RunStopped {
            outcome = (
                .interrupted,
                "\(executor.interrupted()) during step \(step.name) (it had committed nothing): every earlier step is committed; the next run of \(context.date) resumes at \(step.name)"
            )
            return summary(.interrupted, walk.trace)
        }
        summary(result.stepStatus, walk.trace)
        ranSteps.insert(step.name)
        after[step.name] = artifact
        switch result.final.outcome {
        case .fail:
            if step.critical {
                outcome = (.failed, "\(step.name): \(result.final.failureClass?.rawValue ?? "failed"): \(result.final.details)")
            }
            return
        case .skip:
            // Only this source is done: the playbook's other sources still run.
            skipped[source] = result.final.details
            // Skipped as already loaded from the same input: that load committed, so its watermark holds.
            if skill is any Loading { try commitWatermarks(of: source) }
            return
        case .pass:
            break
        }
        if let next = result.final.artifact, next.url != artifact?.url {
            try store.insertArtifact(
                ArtifactRecord(
                    runId: runID,
                    step: step.name,
                    path: context.home.display(next.url),
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
            if !context.mode.isForced, let prior = try? await executor.alreadyLoaded(loads, sha: fetched.sha256, context: context) {
                skipped[source] = prior
                try commitWatermarks(of: source)
            }
        }
    }

    /// What the step receives: its file, and what the run knows by now of its source.
    func input(_ index: Int, _ skill: any Skill, source: String, artifact: Artifact?) -> StepInput {
        var input = StepInput(stepIndex: index, stepName: playbook.steps[index].name, artifact: artifact)
        input.sourceSHA256 = sourceSHA[source]
        input.expectedLoadRows = skill is any Loading ? walk.rowsLeftToLoad(of: source) : nil
        input.lastLoad = lastLoad
        input.artifacts = artifacts
        return input
    }

    /// Resume: a step the interrupted run passed, whose artifact is still there with its sha256, is not run again.
    mutating func restore(_ index: Int, _ skill: any Skill, source: String, input: Artifact?) throws -> Bool {
        let step = playbook.steps[index]
        guard let checkpoint = checkpoints.first, checkpoint.stepIndex == index, checkpoint.step == step.name,
            let restored = executor.restore(checkpoint, input: input, verifiedFiles: &verifiedFiles)
        else { return false }
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
        return true
    }

    /// What every passed step leaves, whether it ran now or an interrupted run's checkpoint stands for it: its file
    /// for the steps after it, its source's watermark and sha256, and a checkpoint of its own.
    mutating func settle(
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
            try commitWatermarks(of: source)
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
                    artifact: output.map { RunExecutor.json($0.saved(in: context.home)) },
                    rows: RunExecutor.json(walk.rowsBySource[source] ?? RunSummary.Rows()),
                    healed: healedNow,
                    watermark: watermark.map { RunExecutor.json($0) },
                    createdAt: Timestamp.now()
                )
        )
        CrashPoint.reach("after-step:\(step.name)")
    }

    mutating func commitWatermarks(of source: String) throws {
        try executor.commit(&pendingWatermarks[source, default: []], runID: runID, pipeline: playbook.name)
    }
}
