import Foundation

extension ProfileBaseline {
    /// One line a person (or the model, in a repair prompt) reads: what the column's accepted days look like.
    public var summary: String {
        let b = self
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
}
