import Foundation

/// How much a file column's values look like a contract column's history: the value half of the heuristic's
/// evidence, so a header in another language or a partner's own names heals when the values are familiar.
struct ValueResemblance: Sendable {
    /// 0…1: 1 when every comparison history allows agrees.
    var score: Double
    /// "decimal, 2 places, 0.01–9,876.54, median 49.90, like amount's last 7 days".
    var evidence: String

    /// Values sampled per file column: enough for shapes, sets and medians, and bounded on a wide header.
    static let sample = 1_000

    /// nil when history allows no comparison that tells columns apart (free text, no lookup, no history).
    static func judge(
        _ values: ArraySlice<String>,
        as column: ColumnSpec,
        reading: CastReading?,
        baseline: ProfileBaseline,
        lookup: LookupKeys?,
        date: CalendarDate
    ) -> ValueResemblance? {
        guard !baseline.days.isEmpty, !values.isEmpty else { return nil }
        let profiler = ColumnProfiler(column: column, date: date, lookup: lookup)
        let check = reading == nil ? nil : ValueCheck(column)
        for value in values {
            if let reading, let check, !value.utf8.isEmpty {
                var v = value
                if !v.withUTF8({ check.accepts(FieldBytes($0)) }), let read = reading.convert(value, to: column) {
                    profiler.add(read)
                    continue
                }
            }
            profiler.add(value)
        }
        let p = profiler.profile
        guard p.nonNull > 0 else { return nil }
        let like = "like \(column.name)'s \(baseline.span.dropFirst(4))"
        let brief = ProfileText.brief(p, date: date)
        if column.type != .string {
            let fit = 1 - Double(p.misfits) / Double(p.nonNull)
            if fit < 0.9 {
                return ValueResemblance(score: 0, evidence: "\(ProfileText.percent(1 - fit)) of its values are not \(column.expectation)")
            }
        }
        var score = 1.0
        var informative = false
        let numeric = [.integer, .decimal, .date].contains(column.type)
        if numeric && !baseline.isIdentifier, let band = baseline.band, let median = p.numbers?.median {
            informative = true
            if median < band.low || median > band.high { score *= 0 }
            if column.type == .decimal, let usual = baseline.usualPlaces, p.numbers?.usualPlaces != usual { score *= 0.6 }
        }
        if !numeric || baseline.isIdentifier, let known = baseline.shapes, p.nonNull > 0 {
            informative = true
            let familiar = p.shapes.filter { shape in known.contains { shape.fits($0) } }.reduce(0) { $0 + $1.count }
            score *= Double(familiar) / Double(p.nonNull)
        }
        if let known = baseline.values {
            informative = true
            let set = Set(known.map(\.value))
            let inSet = p.values?.filter { set.contains($0.value) }.reduce(0) { $0 + $1.count } ?? 0
            score *= Double(inSet) / Double(p.nonNull)
        }
        if let history = baseline.lookupShare, let match = p.lookup, history.mean > 0 {
            informative = true
            score *= min(1, match.share / history.mean)
        }
        // A key's values are all distinct, a code's repeat: the sample's distinct share tells them apart.
        if baseline.isIdentifier && p.nonNull >= 20 && p.distinctShare < 0.8 { score *= 0.3 }
        if !baseline.isIdentifier && baseline.profiles.allSatisfy({ $0.distinctShare < 0.5 }) && p.nonNull >= 100 && p.distinctShare > 0.95
        {
            score *= 0.5
        }
        guard informative else { return nil }
        return ValueResemblance(score: score, evidence: "\(brief), \(like)")
    }
}
