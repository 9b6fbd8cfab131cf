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
        let record = RunRecord(
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
        let checkpoints = try resumed.map { try store.checkpoints(run: $0.id) } ?? []
        // The profiles its passed steps computed are this run's now, to be accepted with its load.
        if let resumed { try store.adoptProfiles(from: resumed.id, to: runID) }
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
        var pass = RunPass(executor: self, playbook: playbook, skills: skills, context: context, record: record, checkpoints: checkpoints)
        for index in playbook.steps.indices { try await pass.step(index) }
        let verdict = await pass.verdict()
        return try await pass.finish(verdict)
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
