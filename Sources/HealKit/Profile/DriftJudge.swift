import Foundation

/// One way a column's values left their history.
public struct Departure: Sendable, Equatable {
    public var column: String
    public var check: DriftPolicy.Check
    public var level: DriftPolicy.Level
    /// "product_id holds values shaped C9999999 (100 %); its history is P99999 (100 %)".
    public var detail: String
}

/// Compares a day's profile of a column with its baseline under a policy, with fixed thresholds that a real
/// departure (a swap, a unit change, a dead lookup) clears by far and a normal day does not reach.
public struct DriftJudge: Sendable {
    public var policy: DriftPolicy
    /// The run's logical date: date columns are profiled as days from it.
    public var date: CalendarDate
    /// "holds" for a file as it came, "would hold" for a proposal judged before it is accepted.
    public var proposal = false

    /// Fewer non-empty values than this and a share or a median says too little to judge on.
    public static let minValues = 20
    /// Values of unknown shapes beyond this share are a departure.
    public static let shapeShare = 0.10
    /// A null share (or a lookup match share) more than this many points worse than history's worst.
    public static let sharePoints = 0.10

    public init(policy: DriftPolicy, date: CalendarDate, proposal: Bool = false) {
        self.policy = policy
        self.date = date
        self.proposal = proposal
    }

    private var holds: String { proposal ? "would hold" : "holds" }
    private var `is`: String { proposal ? "would be" : "is" }

    public func departures(_ today: ColumnProfile, from baseline: ProfileBaseline) -> [Departure] {
        var out: [Departure] = []
        let name = today.column
        func add(_ check: DriftPolicy.Check, _ detail: String) {
            let level = policy.level(check, for: name)
            if level != .off { out.append(Departure(column: name, check: check, level: level, detail: detail)) }
        }
        if let detail = nulls(today, baseline) { add(.nulls, detail) }
        guard today.nonNull >= Self.minValues else { return out }
        let numeric = [.integer, .decimal, .date].contains(today.type)
        // A column of few values is judged by its values (a new one warns); its shapes would say the same louder.
        if !numeric || baseline.isIdentifier, baseline.values == nil, let detail = shape(today, baseline) { add(.shape, detail) }
        if numeric && !baseline.isIdentifier, let detail = range(today, baseline) { add(.range, detail) }
        if let detail = values(today, baseline) { add(.values, detail) }
        if let detail = lookup(today, baseline) { add(.lookupMatch, detail) }
        return out
    }

    func nulls(_ today: ColumnProfile, _ baseline: ProfileBaseline) -> String? {
        guard today.rows >= Self.minValues else { return nil }
        let highest = baseline.highestNullShare
        guard today.nullShare > highest + Self.sharePoints else { return nil }
        let now =
            today.nulls == today.rows
            ? "\(self.is) empty on every row" : "\(self.is) empty on \(ProfileText.percent(today.nullShare)) of rows"
        return "\(today.column) \(now); at most \(ProfileText.percent(highest)) on \(baseline.span)"
    }

    func shape(_ today: ColumnProfile, _ baseline: ProfileBaseline) -> String? {
        guard let known = baseline.shapes, !today.shapes.isEmpty || today.otherShapes > 0 else { return nil }
        let strange = today.shapes.filter { shape in !known.contains { shape.fits($0) } }
        let unknown = strange.reduce(today.otherShapes) { $0 + $1.count }
        let share = Double(unknown) / Double(max(today.nonNull, 1))
        guard share > Self.shapeShare else { return nil }
        var now = strange.prefix(3).map { "\($0.form) (\(ProfileText.percent(Double($0.count) / Double(today.nonNull))))" }
        if today.otherShapes > 0 { now.append("free text (\(ProfileText.percent(Double(today.otherShapes) / Double(today.nonNull))))") }
        let total = Double(known.reduce(0) { $0 + $1.count })
        let then = known.prefix(3).map { "\($0.form) (\(ProfileText.percent(Double($0.count) / total)))" }
        return
            "\(today.column) \(holds) values shaped \(now.joined(separator: ", ")); its history (\(Noun.count(baseline.days.count, "day"))) is \(then.joined(separator: ", "))"
    }

    func range(_ today: ColumnProfile, _ baseline: ProfileBaseline) -> String? {
        guard let numbers = today.numbers, numbers.count >= Self.minValues, let band = baseline.band, let usual = baseline.median else {
            return nil
        }
        let median = numbers.median
        guard median < band.low || median > band.high else { return nil }
        let places = baseline.usualPlaces ?? 0
        if today.type == .date {
            // Dates are compared as days from each run's date, which suits dates that follow the day; a column of
            // fixed dates (a contract start) stays put in calendar terms instead, and is no departure either.
            let absolute = baseline.days.compactMap { day -> (Double, Double)? in
                guard let n = day.profile.numbers, let d = CalendarDate.parse(day.date, format: DateFormat.iso) else { return nil }
                return (n.p10 + Double(d.dayNumber), n.p90 + Double(d.dayNumber))
            }
            let todayAbsolute = median + Double(date.dayNumber)
            if let low = absolute.map(\.0).min(), let high = absolute.map(\.1).max(), todayAbsolute >= low, todayAbsolute <= high {
                return nil
            }
            return
                "\(today.column)'s median \(self.is) \(ProfileText.day(median, from: date)), outside the middle 80 % of \(baseline.span) (\(ProfileText.days(band.low)) to \(ProfileText.days(band.high)) from each run's date)"
        }
        var factor = ""
        if usual != 0, median != 0, (median / usual).sign == .plus {
            let ratio = median / usual
            let rounded = ratio >= 1 ? ratio.rounded() : (1 / ratio).rounded()
            if rounded >= 5 {
                factor =
                    "; about \(ratio >= 1 ? "×" : "÷")\(ProfileText.number(rounded, places: 0)) its usual median \(ProfileText.number(usual, places: places)) — a change of units?"
            }
        }
        return
            "\(today.column)'s median \(self.is) \(ProfileText.number(median, places: places)), outside the middle 80 % of \(baseline.span) (\(ProfileText.number(band.low, places: places))–\(ProfileText.number(band.high, places: places)))\(factor)"
    }

    func values(_ today: ColumnProfile, _ baseline: ProfileBaseline) -> String? {
        guard let known = baseline.values else { return nil }
        guard let now = today.values else {
            // A column of a few codes now holding many values: a swap or a new meaning, not one new code.
            return
                "\(today.column) \(holds) more than \(ColumnProfiler.valueCap) distinct values; \(baseline.span) had \(known.count): \(known.prefix(8).map { Text.quoted($0.value) }.joined(separator: ", "))"
        }
        let knownSet = Set(known.map(\.value))
        let new = now.filter { !knownSet.contains($0.value) }
        guard !new.isEmpty else { return nil }
        let shown = new.prefix(5).map { "\(Text.quoted($0.value)) (\(Text.count($0.count)) row\($0.count == 1 ? "" : "s"))" }.joined(
            separator: ", "
        )
        return
            "\(today.column) \(holds) value\(new.count == 1 ? "" : "s") \(baseline.span) never had: \(shown)\(new.count > 5 ? " and \(new.count - 5) more" : ""); history: \(known.prefix(8).map { Text.quoted($0.value) }.joined(separator: ", "))"
    }

    func lookup(_ today: ColumnProfile, _ baseline: ProfileBaseline) -> String? {
        guard let match = today.lookup, match.checked >= Self.minValues, let history = baseline.lookupShare else { return nil }
        guard match.share < history.lowest - Self.sharePoints else { return nil }
        return
            "lookup on \(today.column) \(proposal ? "would match" : "matches") \(ProfileText.percent(match.share)) of its values in \(match.table); \(baseline.span): \(ProfileText.percent(history.mean))"
    }
}
