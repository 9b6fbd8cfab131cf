import Foundation

/// `heal profile PIPELINE [COLUMN]`: the baseline the drift watch and the repair gate judge a day on.
public struct ProfileReport: Sendable, Encodable {
    public struct Column: Sendable, Encodable {
        public var step: String
        public var column: String
        public var type: String
        public var days: [String]
        /// What the days say together, as the watch reads it.
        public var summary: String
        /// One line per day (newest first) when a single column is asked for.
        public var perDay: [String]

        enum CodingKeys: String, CodingKey {
            case step, column, type, days, summary
            case perDay = "per_day"
        }
    }

    public var pipeline: String
    public var history: Int
    public var columns: [Column]

    /// The last `history` accepted days of every profiled column (or of `column` alone, with each day shown).
    public static func build(
        _ store: MetadataStore,
        pipeline: String,
        column: String?,
        history: Int,
        today: CalendarDate
    ) throws -> ProfileReport {
        var columns: [Column] = []
        for (step, name) in try store.profiledColumns(pipeline: pipeline) where column == nil || column == name {
            let baseline = try store.baseline(
                pipeline: pipeline,
                step: step,
                column: name,
                before: today.adding(days: 1).description,
                days: history
            )
            guard !baseline.days.isEmpty else { continue }
            let perDay: [String] =
                column == nil
                ? []
                : baseline.days.map { day in
                    let date = CalendarDate.parse(day.date, format: DateFormat.iso) ?? today
                    return
                        "\(day.date)  \(Text.count(day.profile.rows)) rows · \(ProfileText.brief(day.profile, date: date)) · distinct \(ProfileText.percent(day.profile.distinctShare))"
                }
            columns.append(
                Column(
                    step: step,
                    column: name,
                    type: baseline.type.rawValue,
                    days: baseline.days.map(\.date),
                    summary: baseline.summary,
                    perDay: perDay
                )
            )
        }
        return ProfileReport(pipeline: pipeline, history: history, columns: columns)
    }

    public var text: String {
        guard !columns.isEmpty else {
            return
                "no accepted profiles for \(pipeline) yet: a profile is kept for each day a run loads (its validate_quality step computes it)\n"
        }
        var out = ""
        let steps = columns.map(\.step).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for step in steps {
            let mine = columns.filter { $0.step == step }
            let dates = Set(mine.flatMap(\.days)).sorted()
            out +=
                "\(pipeline) · step \(step) · baseline of \(Noun.count(dates.count, "accepted day")) (\(dates.first!) to \(dates.last!); at most \(history))\n"
            for c in mine {
                out +=
                    "  \(c.column.padding(toLength: max(14, c.column.count), withPad: " ", startingAt: 0)) \(c.type.padding(toLength: 8, withPad: " ", startingAt: 0)) \(c.summary)\n"
                for line in c.perDay { out += "      \(line)\n" }
            }
        }
        return out
    }
}
