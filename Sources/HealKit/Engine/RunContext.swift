import Foundation

/// What every skill of one run may read: where things go, the date, templating values, the metadata store.
public struct RunContext: Sendable {
    public var home: HealHome
    public var playbook: Playbook
    public var runID: String
    public var date: CalendarDate
    public var force: Bool
    public var values: TemplateValues
    public var store: MetadataStore
    /// sha256 of the file the first fetch brought: the identity of the run's input in the load ledger.
    public var sourceSHA256: String?
    /// The last load of this run, so a health check can find its target without repeating it.
    public var lastLoad: LoadTarget?
    /// Every skill config, for remediations that re-run other checks (schema repair's gate).
    public var skillConfigs: [String: SkillConfig] = [:]
    /// Rows the running step has reached, for the terminal.
    public var progress = RowProgress()
    /// Rows released from quarantine, not a day's file: volume rules do not apply, and the load appends them
    /// under a ledger entry of their own.
    public var isRelease = false
    /// The interrupted run this one resumes: a load it committed before it stopped counts as this run's.
    public var resumedFrom: String?
    /// For a load step: the rows the source's accounting leaves to load, checked before the load commits.
    public var expectedLoadRows: Int?
    /// Values removed from every text the run stores, prints or sends (keys, passwords, header secrets).
    public var secrets = Secrets.process
    /// Set while a repair's gate runs the checks on a proposal: the drift watch judges on any history, speaks of
    /// what the proposal "would" do, and stores nothing.
    public var judgingProposal = false
    /// `heal run --accept-drift`: a person confirmed the source changed on purpose, so departures only warn and
    /// this day's profiles become history.
    public var acceptDrift = false
    /// True once the run was asked to stop (a signal): a step reading a file stops at its next batch.
    public var stopRequested: @Sendable () -> Bool = { false }

    public init(
        home: HealHome,
        playbook: Playbook,
        runID: String,
        date: CalendarDate,
        force: Bool = false,
        variables: [String: String] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment,
        store: MetadataStore
    ) {
        self.home = home
        self.playbook = playbook
        self.runID = runID
        self.date = date
        self.force = force
        values = TemplateValues(date: date, pipeline: playbook.name, runID: runID, variables: variables, environment: environment)
        self.store = store
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

    public func render(_ template: Template) throws -> String {
        do {
            return try template.render(values)
        } catch {
            throw SkillFailure(.configuration, error.message)
        }
    }

    /// A path or URL from a template: outside values may not reach other folders unless the skill allows it.
    public func renderPath(_ template: Template, allowingPathValues: Bool = false) throws -> String {
        do {
            return try template.render(values, path: !allowingPathValues)
        } catch {
            throw SkillFailure(.configuration, error.message)
        }
    }
}

/// What a step receives: its position and the current artifact.
public struct StepInput: Sendable {
    public var stepIndex: Int
    public var stepName: String
    public var artifact: Artifact?

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
