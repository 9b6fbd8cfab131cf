import Foundation

/// One column's history: its profiles on the last N accepted days, and what they say together.
public struct ProfileBaseline: Sendable {
    public struct Day: Sendable {
        public var date: String
        public var profile: ColumnProfile
    }

    /// Newest first.
    public var days: [Day]

    public init(days: [Day]) { self.days = days }

    public var column: String { days.first?.profile.column ?? "" }
    public var type: ColumnType { days.first?.profile.type ?? .string }
    var profiles: [ColumnProfile] { days.map(\.profile) }

    /// "its last 7 days" (or "its one day of history").
    public var span: String { days.count == 1 ? "its one day of history" : "its last \(Noun.count(days.count, "day"))" }

    /// Every value new each day in a text or integer column: a key, whose numbers climb and whose shape is what
    /// there is to watch. (Amounts are nearly all distinct too, but they are measures, not keys.)
    public var isIdentifier: Bool {
        (type == .integer || type == .string) && profiles.allSatisfy { $0.nonNull >= 20 && $0.distinctShare >= 0.95 }
    }

    /// The shapes of every day, each letter kept only where every day that had the shape shared it;
    /// nil when some day's values were free text (more shapes than a profile keeps).
    public var shapes: [ValueShape]? {
        guard profiles.allSatisfy(\.shapesCover) else { return nil }
        var merged: [ValueShape] = []
        for shape in profiles.flatMap(\.shapes) {
            if let i = merged.firstIndex(where: { $0.shape == shape.shape }) {
                merged[i] = merged[i].merged(with: shape)
            } else {
                merged.append(shape)
            }
        }
        return merged.sorted { $0.count > $1.count }
    }

    /// Every value of every day, when each day had few (a code, a channel, a flag); nil otherwise.
    public var values: [ValueCount]? {
        var counts: [String: Int] = [:]
        for profile in profiles {
            guard let values = profile.values, profile.nonNull >= 20 else { return nil }
            for v in values { counts[v.value, default: 0] += v.count }
        }
        guard !counts.isEmpty, counts.count <= ColumnProfiler.valueCap else { return nil }
        return counts.map { ValueCount(value: $0.key, count: $0.value) }.sorted {
            $0.count > $1.count || ($0.count == $1.count && $0.value < $1.value)
        }
    }

    /// Where the middle 80 % of the values lived: the lowest p10 to the highest p90 of the days.
    public var band: (low: Double, high: Double)? {
        let numbers = profiles.compactMap(\.numbers)
        guard !numbers.isEmpty, numbers.count == profiles.count else { return nil }
        return (numbers.map(\.p10).min()!, numbers.map(\.p90).max()!)
    }

    /// The median of the days' medians.
    public var median: Double? {
        let medians = profiles.compactMap(\.numbers?.median).sorted()
        guard !medians.isEmpty else { return nil }
        return medians[medians.count / 2]
    }

    public var usualPlaces: Int? {
        let all = profiles.compactMap(\.numbers?.places)
        guard !all.isEmpty else { return nil }
        let sums = (0..<7).map { i in all.reduce(0) { $0 + ($1.count > i ? $1[i] : 0) } }
        return sums.indices.max { sums[$0] < sums[$1] }
    }

    public var highestNullShare: Double { profiles.map(\.nullShare).max() ?? 0 }

    /// The lowest and the mean daily share of lookup keys the enrichment table held.
    public var lookupShare: (lowest: Double, mean: Double, table: String)? {
        let matches = profiles.compactMap(\.lookup).filter { $0.checked > 0 }
        guard !matches.isEmpty else { return nil }
        return (matches.map(\.share).min()!, matches.map(\.share).reduce(0, +) / Double(matches.count), matches[0].table)
    }

    public var lengths: (min: Int, max: Int)? {
        let mins = profiles.compactMap(\.minLength)
        let maxs = profiles.compactMap(\.maxLength)
        guard let low = mins.min(), let high = maxs.max() else { return nil }
        return (low, high)
    }
}
