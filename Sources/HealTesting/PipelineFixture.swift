import Foundation
import HealKit

/// A home folder with its configuration loaded and metadata.db open: what a test needs to run skills or whole runs.
public struct PipelineFixture: Sendable {
    public let home: TestHome
    public let config: ProjectConfig
    public let store: MetadataStore

    /// Loads the home's configuration; any config problem fails the fixture, since tests want working configs.
    public init(home: TestHome) throws {
        self.home = home
        let (config, errors) = ProjectConfig.load(from: home.healHome)
        if !errors.isEmpty { throw TestServerError(message: errors.map(\.description).joined(separator: "\n")) }
        self.config = config
        store = try MetadataStore(url: home.healHome.metadata)
    }

    /// An executor whose retries wait for real (they are short in test playbooks) and whose events are kept.
    public func executor(events: EventRecorder? = nil) -> RunExecutor {
        var executor = RunExecutor(home: home.healHome, config: config, store: store)
        if let events { executor.observer = { event in events.record(event) } }
        return executor
    }

    public func run(_ pipeline: String, date: String, force: Bool = false, events: EventRecorder? = nil) async throws -> RunSummary {
        try await executor(events: events).run(
            pipeline: pipeline,
            options: RunOptions(date: CalendarDate.parse(date, format: .iso), force: force)
        )
    }

    /// A context for running one skill by hand.
    public func context(pipeline: String, date: String = "2026-11-19", runID: String = "test-run") throws -> RunContext {
        guard let playbook = config.playbooks[pipeline] else { throw TestServerError(message: "no playbook \(pipeline)") }
        return RunContext(
            home: home.healHome,
            playbook: playbook,
            runID: runID,
            date: CalendarDate.parse(date, format: .iso)!,
            store: store
        )
    }

    public func skill(_ name: String) throws -> any Skill {
        guard let config = config.skills[name] else { throw TestServerError(message: "no skill \(name)") }
        return try SkillFactory.skill(config)
    }
}

/// Keeps the executor's events for assertions.
public final class EventRecorder: @unchecked Sendable {
    private let lock = NSLock()
    private var storage: [RunEvent] = []

    public init() {}

    public func record(_ event: RunEvent) {
        lock.lock()
        storage.append(event)
        lock.unlock()
    }

    public var events: [RunEvent] {
        lock.lock()
        defer { lock.unlock() }
        return storage
    }

    public var attempts: [(step: String, attempt: AttemptSummary)] {
        events.compactMap { if case .attempt(let step, let a) = $0 { return (step, a) } else { return nil } }
    }
}
