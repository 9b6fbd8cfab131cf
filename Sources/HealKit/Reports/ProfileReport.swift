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
                    summary: summary(baseline),
                    perDay: perDay
                )
            )
        }
        return ProfileReport(pipeline: pipeline, history: history, columns: columns)
    }

    static func summary(_ b: ProfileBaseline) -> String {
        var parts: [String] = []
        if b.isIdentifier { parts.append("a key (every value distinct)") }
        if let values = b.values {
            let total = Double(values.reduce(0) { $0 + $1.count })
            parts.append(
                "values "
                    + values.prefix(8).map { "\(Text.quoted($0.value, limit: 20)) \(ProfileText.percent(Double($0.count) / total))" }
                    .joined(separator: ", ")
            )
        } else if let shapes = b.shapes, b.type == .string || b.isIdentifier {
            let total = Double(shapes.reduce(0) { $0 + $1.count })
            parts.append(
                "shaped " + shapes.prefix(3).map { "\($0.form) \(ProfileText.percent(Double($0.count) / total))" }.joined(separator: ", ")
            )
        } else if let lengths = b.lengths, b.type == .string {
            parts.append("free text of \(lengths.min)–\(lengths.max) characters")
        }
        if let band = b.band, let median = b.median, !b.isIdentifier {
            let places = b.usualPlaces ?? 0
            if b.type == .date {
                parts.append("dates \(ProfileText.days(band.low)) to \(ProfileText.days(band.high)) from each run's date (middle 80 %)")
            } else {
                parts.append(
                    "median \(ProfileText.number(median, places: places)), middle 80 % \(ProfileText.number(band.low, places: places))–\(ProfileText.number(band.high, places: places))"
                        + (b.type == .decimal ? ", \(places) places" : "")
                )
            }
        }
        parts.append("empty at most \(ProfileText.percent(b.highestNullShare))")
        if let lookup = b.lookupShare {
            parts.append("lookup \(lookup.table) \(ProfileText.percent(lookup.mean)) (lowest \(ProfileText.percent(lookup.lowest)))")
        }
        return parts.joined(separator: " · ")
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
