import Foundation

/// Time as the daemon sees it; tests inject a clock they move by hand.
public protocol DaemonClock: Sendable {
    func now() -> Date
    /// Returns at `deadline`, or earlier when the task is cancelled.
    func sleep(until deadline: Date) async
}

public struct SystemClock: DaemonClock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(until deadline: Date) async {
        let seconds = deadline.timeIntervalSinceNow
        if seconds > 0 { try? await Task.sleep(for: .milliseconds(Int(seconds * 1000))) }
    }
}

/// `heal daemon`: runs every playbook that has a `schedule:` at its fire times, one run at a time.
///
/// A nightly fire at local time T runs the logical date before T's day. Fire times missed while the daemon was
/// down are caught up by each playbook's `catchup:` policy, judged by metadata.db: a missed fire whose logical
/// date already has a run is not run again.
public struct Daemon: Sendable {
    public let home: HealHome
    public let config: ProjectConfig
    public let store: MetadataStore
    public let clock: any DaemonClock
    /// Catch-up looks back at most this far (for `catchup: all`).
    public var lookback: TimeInterval = 7 * 86_400
    public var observer: @Sendable (RunEvent) -> Void = { _ in }

    public init(home: HealHome, config: ProjectConfig, store: MetadataStore, clock: any DaemonClock = SystemClock()) {
        self.home = home
        self.config = config
        self.store = store
        self.clock = clock
    }

    /// One fire of one pipeline: when it was due and the logical date it runs.
    public struct Fire: Sendable, Equatable, CustomStringConvertible {
        public var pipeline: String
        public var at: Date
        public var date: CalendarDate
        public var catchUp: Bool
        public var description: String { "\(pipeline) \(date)\(catchUp ? " (catch-up)" : "") due \(Timestamp.string(at))" }
    }

    var scheduled: [Playbook] {
        config.playbooks.values.filter { $0.cron != nil }.sorted { $0.name < $1.name }
    }

    /// The logical date a fire runs: the day before the fire's local date.
    public static func logicalDate(of fire: Date, in zone: TimeZone) -> CalendarDate {
        CalendarDate.of(fire, in: zone).adding(days: -1)
    }

    /// Fires missed before `start`, by each playbook's policy, oldest first.
    public func missed(before start: Date) throws -> [Fire] {
        var fires: [Fire] = []
        for playbook in scheduled where playbook.catchUp != .none {
            let cron = playbook.cron!
            var all: [Date] = []
            var t = start.addingTimeInterval(-lookback)
            while let next = cron.next(after: t, in: playbook.timeZone), next <= start {
                all.append(next)
                t = next
            }
            // A date is done when its newest run finished; one killed or stopped (interrupted, or left running by a
            // dead process) is not, and is run again (it resumes) whatever the policy, so no night is lost silently.
            var newest: [String: RunRecord] = [:]
            for run in try store.runs(pipeline: playbook.name, limit: 1000) where run.kind == .run {
                if let seen = newest[run.logicalDate], (seen.startedAt, seen.id) >= (run.startedAt, run.id) { continue }
                newest[run.logicalDate] = run
            }
            func unfinished(_ at: Date) -> Bool {
                guard let run = newest[Daemon.logicalDate(of: at, in: playbook.timeZone).description] else { return false }
                return run.status == .interrupted || run.status == .running
            }
            if playbook.catchUp == .latest, let last = all.last { all = all.filter(unfinished) + (unfinished(last) ? [] : [last]) }
            for at in all {
                let date = Daemon.logicalDate(of: at, in: playbook.timeZone)
                if newest[date.description] == nil || unfinished(at) {
                    fires.append(Fire(pipeline: playbook.name, at: at, date: date, catchUp: true))
                }
            }
        }
        return fires.sorted { $0.at < $1.at }
    }

    /// The next regular fire of any playbook strictly after `instant`.
    public func nextFire(after instant: Date) -> Fire? {
        scheduled.compactMap { playbook -> Fire? in
            playbook.cron!.next(after: instant, in: playbook.timeZone).map {
                Fire(pipeline: playbook.name, at: $0, date: Daemon.logicalDate(of: $0, in: playbook.timeZone), catchUp: false)
            }
        }.min { ($0.at, $0.pipeline) < ($1.at, $1.pipeline) }
    }

    /// Runs one fire through the same executor as `heal run`.
    public func run(_ fire: Fire, shouldStop: @escaping @Sendable () -> Bool) async throws -> RunSummary {
        var executor = RunExecutor(home: home, config: config, store: store)
        executor.observer = observer
        executor.shouldStop = shouldStop
        var options = RunOptions(date: fire.date)
        options.now = clock.now()
        return try await executor.run(pipeline: fire.pipeline, options: options)
    }

    /// Catches up, then fires on schedule until `shouldStop` says so (checked between steps and between runs).
    /// With `once`, runs only what is due now (missed fires and fires at this minute) and returns.
    public func loop(once: Bool, shouldStop: @escaping @Sendable () -> Bool, ran: @Sendable (Fire, RunSummary) -> Void) async throws {
        let start = clock.now()
        for fire in try missed(before: start) {
            if shouldStop() { return }
            ran(fire, try await run(fire, shouldStop: shouldStop))
        }
        if once { return }
        var after = start
        while !shouldStop() {
            guard let fire = nextFire(after: after) else { return }
            // Short naps, so a stop request is heard within a second.
            while clock.now() < fire.at && !shouldStop() {
                await clock.sleep(until: min(fire.at, clock.now().addingTimeInterval(1)))
            }
            if shouldStop() { return }
            ran(fire, try await run(fire, shouldStop: shouldStop))
            after = fire.at
        }
    }
}
