import Foundation

extension WeeklyReport {
    /// Drift the watch raised on one column, over the period.
    public struct DriftAlerts: Codable, Sendable, Equatable {
        public var pipeline: String
        public var step: String
        public var column: String
        public var check: String
        public var fails: Int
        public var warnings: Int
        /// Departures a person loaded anyway with --accept-drift.
        public var accepted: Int
        public var lastSeen: String
        public var example: String

        enum CodingKeys: String, CodingKey {
            case pipeline, step, column, check, fails, warnings, accepted, example
            case lastSeen = "last_seen"
        }
    }

    /// One watched column's profile, a figure per day of the period (nil where no day was accepted).
    public struct ColumnTrend: Codable, Sendable, Equatable {
        public var pipeline: String
        public var step: String
        public var column: String
        /// "median", "lookup match %", "distinct %".
        public var measure: String
        public var byDay: [Double?]
        public var nullPctByDay: [Double?]

        enum CodingKeys: String, CodingKey {
            case pipeline, step, column, measure
            case byDay = "by_day", nullPctByDay = "null_pct_by_day"
        }
    }
}

/// The weekly report's drift section: alerts per column, and a small trend of each watched column's profile.
enum ProfileTrends {
    static func drift(_ store: MetadataStore, pipeline: String?, from: String, to: String) throws -> [WeeklyReport.DriftAlerts] {
        var out: [String: WeeklyReport.DriftAlerts] = [:]
        var order: [String] = []
        for (name, event) in try store.driftEvents(pipeline: pipeline, from: from, to: to) {
            let key = [name, event.step, event.column, event.check].joined(separator: "\u{1F}")
            if out[key] == nil {
                order.append(key)
                out[key] = .init(
                    pipeline: name,
                    step: event.step,
                    column: event.column,
                    check: event.check,
                    fails: 0,
                    warnings: 0,
                    accepted: 0,
                    lastSeen: event.date,
                    example: Text.clipped(event.detail, 300)
                )
            }
            if event.level == "fail" { out[key]!.fails += 1 } else { out[key]!.warnings += 1 }
            if event.accepted { out[key]!.accepted += 1 }
            if event.date >= out[key]!.lastSeen {
                out[key]!.lastSeen = event.date
                out[key]!.example = Text.clipped(event.detail, 300)
            }
        }
        return order.compactMap { out[$0] }
    }

    static func trends(_ store: MetadataStore, pipelines: [String], dates: [String]) throws -> [WeeklyReport.ColumnTrend] {
        guard let first = dates.first, let last = dates.last else { return [] }
        var out: [WeeklyReport.ColumnTrend] = []
        for pipeline in pipelines {
            let profiles = try store.profiles(pipeline: pipeline, from: first, to: last)
            var seen: [String] = []
            var byColumn: [String: [(date: String, profile: ColumnProfile)]] = [:]
            var steps: [String: String] = [:]
            for (step, date, profile) in profiles {
                let key = "\(step)\u{1F}\(profile.column)"
                if byColumn[key] == nil {
                    seen.append(key)
                    steps[key] = step
                }
                byColumn[key, default: []].append((date, profile))
            }
            for key in seen {
                let days = byColumn[key]!
                let sample = days[0].profile
                let measure =
                    sample.lookup != nil
                    ? "lookup match %"
                    : sample.numbers != nil ? (sample.type == .date ? "median, days from the run's date" : "median") : "distinct %"
                func figure(_ p: ColumnProfile) -> Double? {
                    if let lookup = p.lookup { return (lookup.share * 1000).rounded() / 10 }
                    if let n = p.numbers { return (n.median * 100).rounded() / 100 }
                    return (p.distinctShare * 1000).rounded() / 10
                }
                let byDate = Dictionary(days.map { ($0.date, $0.profile) }, uniquingKeysWith: { _, b in b })
                out.append(
                    .init(
                        pipeline: pipeline,
                        step: steps[key]!,
                        column: sample.column,
                        measure: measure,
                        byDay: dates.map { byDate[$0].flatMap(figure) },
                        nullPctByDay: dates.map { byDate[$0].map { ($0.nullShare * 1000).rounded() / 10 } }
                    )
                )
            }
        }
        return out
    }
}
