import Foundation

/// What `heal schedule` shows of each scheduled playbook: its schedule as written, its last run, the catch-up the
/// daemon would do now, and the next fire times, each with the logical date it runs.
public struct ScheduleOverview: Sendable, Encodable {
    public struct LastRun: Sendable, Encodable {
        public var id: String
        public var date: String
        public var status: RunStatus
        public var startedAt: String

        enum CodingKeys: String, CodingKey {
            case id, date, status
            case startedAt = "started_at"
        }
    }

    public struct FireTime: Sendable, Encodable {
        /// The fire time in the playbook's time zone, with its offset.
        public var at: String
        /// The logical date that fire runs: the day before its local date.
        public var date: String
    }

    public var pipeline: String
    public var schedule: String
    public var timeZone: String
    public var catchup: String
    public var lastRun: LastRun?
    /// Missed fire times the daemon would run now (its catch-up policy applied).
    public var pending: [FireTime]
    public var next: [FireTime]

    enum CodingKeys: String, CodingKey {
        case pipeline, schedule, catchup, pending, next
        case timeZone = "time_zone", lastRun = "last_run"
    }

    /// Every playbook with a schedule, by name; the history is read only when `store` is given.
    public static func build(
        home: HealHome,
        config: ProjectConfig,
        store: MetadataStore?,
        count: Int,
        now: Date = Date()
    ) throws -> [ScheduleOverview] {
        let playbooks = config.playbooks.values.filter { $0.cron != nil }.sorted { $0.name < $1.name }
        let pending = try store.map { try Daemon(home: home, config: config, store: $0).missed(before: now) } ?? []
        let formatter = ISO8601DateFormatter()
        return try playbooks.map { playbook in
            guard let cron = playbook.cron else { preconditionFailure("filtered on cron") }
            // A release re-loads quarantined rows; the night's own run is what the schedule did.
            let last = try store?.runs(pipeline: playbook.name, limit: 20).first { $0.kind == .run }
            formatter.timeZone = playbook.timeZone
            var fires: [FireTime] = []
            var t = now
            for _ in 0..<max(1, count) {
                guard let fire = cron.next(after: t, in: playbook.timeZone) else { break }
                fires.append(
                    FireTime(at: formatter.string(from: fire), date: Daemon.logicalDate(of: fire, in: playbook.timeZone).description)
                )
                t = fire
            }
            return ScheduleOverview(
                pipeline: playbook.name,
                schedule: cron.expression,
                timeZone: playbook.timeZoneName,
                catchup: playbook.catchUp.rawValue,
                lastRun: last.map { LastRun(id: $0.id, date: $0.logicalDate, status: $0.status, startedAt: $0.startedAt) },
                pending: pending.filter { $0.pipeline == playbook.name }.map {
                    FireTime(at: formatter.string(from: $0.at), date: $0.date.description)
                },
                next: fires
            )
        }
    }
}
