import Foundation

/// What every skill of one run may read, fixed for the whole run: where things go, the date, the mode, templating
/// values, the metadata store and the run's warehouse connections. What changes from step to step is in `StepInput`.
public struct RunContext: Sendable {
    public let home: HealHome
    public let playbook: Playbook
    public let runID: String
    public let date: CalendarDate
    public let mode: RunMode
    public let values: TemplateValues
    public let store: MetadataStore
    /// Every skill config, for remediations that re-run other checks (schema repair's gate).
    public let skillConfigs: [String: SkillConfig]
    /// Rows the running step has reached, for the terminal.
    public let progress: RowProgress
    /// Values removed from every text the run stores, prints or sends (keys, passwords, header secrets).
    public let secrets: Secrets
    /// `heal run --accept-drift`: a person confirmed the source changed on purpose, so departures only warn and
    /// this day's profiles become history.
    public let acceptDrift: Bool
    /// True once the run was asked to stop (a signal): a step reading a file stops at its next batch.
    public let stopRequested: @Sendable () -> Bool
    /// One connection per warehouse target for the whole run, opened with the run's environment.
    public let warehouses: WarehouseConnections
    /// Set while a repair's gate runs the checks on a proposal: the drift watch judges on any history, speaks of
    /// what the proposal "would" do, and stores nothing.
    public private(set) var judgingProposal = false

    public init(
        home: HealHome,
        playbook: Playbook,
        runID: String,
        date: CalendarDate,
        mode: RunMode = .normal,
        variables: [String: String] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        store: MetadataStore,
        skillConfigs: [String: SkillConfig] = [:],
        progress: RowProgress = RowProgress(),
        secrets: Secrets = .process,
        acceptDrift: Bool = false,
        stopRequested: @escaping @Sendable () -> Bool = { false },
        warehouses: WarehouseConnections? = nil
    ) {
        self.home = home
        self.playbook = playbook
        self.runID = runID
        self.date = date
        self.mode = mode
        values = TemplateValues(date: date, pipeline: playbook.name, runID: runID, variables: variables, environment: environment)
        self.store = store
        self.skillConfigs = skillConfigs
        self.progress = progress
        self.secrets = secrets
        self.acceptDrift = acceptDrift
        self.stopRequested = stopRequested
        self.warehouses = warehouses ?? WarehouseConnections(home: home, environment: environment)
    }

    /// The same run as a repair's gate sees it.
    public func judgingAProposal() -> RunContext {
        var copy = self
        copy.judgingProposal = true
        return copy
    }

    public var pipeline: String { playbook.name }
    public var stagingFolder: URL { home.staging.appendingPathComponent(pipeline).appendingPathComponent(runID) }

    /// `staging/PIPELINE/RUN/NN-step.EXT`.
    public func stagingURL(stepIndex: Int, name: String, extension ext: String = "csv") -> URL {
        let safe = name.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        return stagingFolder.appendingPathComponent(String(format: "%02d-%@.%@", stepIndex + 1, String(safe), ext))
    }

    /// A staging name no earlier attempt of this run used (`NN-step-rejects.csv`, then `-2`, `-3`…).
    public func freshStagingURL(stepIndex: Int, name: String) -> URL {
        var url = stagingURL(stepIndex: stepIndex, name: name)
        var n = 1
        while FileManager.default.fileExists(atPath: url.path) {
            n += 1
            url = stagingURL(stepIndex: stepIndex, name: "\(name)-\(n)")
        }
        return url
    }

    /// The artifact as a data step reads it: parsed ahead on a second thread, its rows counted for progress.
    /// Row checks take broken lines as flagged rows (`.deliver`) to quarantine them; every other step refuses them.
    public func open(_ artifact: Artifact, flaws: FlawedRows = .refuse) throws -> any TableReader {
        let progress = self.progress
        return PrefetchingReader(try Tables.open(artifact, flaws: flaws), onBatch: { progress.add($0) }, shouldStop: stopRequested)
    }

    /// A template with the run's values and, given a step's input, the staged files of the steps before it.
    public func render(_ template: Template, for input: StepInput? = nil) throws -> String {
        do {
            return try template.render(values(for: input))
        } catch {
            throw SkillFailure(.configuration, error.message)
        }
    }

    private func values(for input: StepInput?) -> TemplateValues {
        guard let input else { return values }
        var values = values
        values.artifacts = input.artifacts
        return values
    }

    /// The run's connection to the warehouse a target names, opened on first use with the run's environment.
    public func warehouse(_ target: Template) throws -> any Warehouse {
        try warehouses.open(try renderPath(target))
    }

    /// A path or URL from a template: outside values may not reach other folders unless the skill allows it.
    public func renderPath(_ template: Template, for input: StepInput? = nil, allowingPathValues: Bool = false) throws -> String {
        do {
            return try template.render(values(for: input), path: !allowingPathValues)
        } catch {
            throw SkillFailure(.configuration, error.message)
        }
    }
}

/// What a step receives: its position, the current artifact, and what the run knows by then of the step's source.
public struct StepInput: Sendable {
    public var stepIndex: Int
    public var stepName: String
    public var artifact: Artifact?
    /// sha256 of the file that began this step's source: the identity of its input in the load ledger.
    public var sourceSHA256: String?
    /// For a load step: the rows the source's accounting leaves to load, checked before the load commits.
    public var expectedLoadRows: Int?
    /// The run's last load before this step, so a health check can find its target without repeating it.
    public var lastLoad: LoadTarget?
    /// Staged files of the steps before this one, for `{artifact.STEP}`.
    public var artifacts: [String: String] = [:]

    public init(stepIndex: Int, stepName: String, artifact: Artifact?) {
        self.stepIndex = stepIndex
        self.stepName = stepName
        self.artifact = artifact
    }

    public func requireArtifact() throws -> Artifact {
        guard let artifact else {
            throw SkillFailure(.internal, "step '\(stepName)' needs a file, but no earlier step produced one; put a fetch step first")
        }
        return artifact
    }
}

public struct LoadTarget: Sendable {
    public var target: Template
    public var table: String
}
