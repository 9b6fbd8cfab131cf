import Foundation

/// Figures of a profile as a person reads them: `9,876.54`, `99.9 %`, `2026-11-14`.
enum ProfileText {
    /// `0.999` → "99.9 %", `1` → "100 %", `0.0004` → "0.04 %".
    static func percent(_ share: Double) -> String {
        let pct = share * 100
        if pct == pct.rounded() { return "\(Int(pct)) %" }
        if pct < 0.1 { return String(format: "%.2f %%", pct) }
        return String(format: "%.1f %%", pct)
    }

    /// A number with thousands separators and `places` decimals: `9876.54` → "9,876.54".
    static func number(_ x: Double, places: Int) -> String {
        guard x.isFinite else { return "\(x)" }
        let text = String(format: "%.\(max(0, min(places, 6)))f", x.magnitude)
        let parts = text.split(separator: ".", maxSplits: 1)
        let whole = Text.count(Int(parts[0]) ?? 0)
        return (x < 0 && x.magnitude >= 0.5 * pow(10, -Double(places)) ? "-" : "") + whole + (parts.count > 1 ? ".\(parts[1])" : "")
    }

    /// A date column's median, profiled as days from the run's date, as the date it is.
    static func day(_ offset: Double, from date: CalendarDate) -> String {
        "\(date.adding(days: Int(offset.rounded())))"
    }

    /// "-12 days", "+3 days".
    static func days(_ offset: Double) -> String {
        let n = Int(offset.rounded())
        return "\(n >= 0 ? "+" : "")\(n) day\(abs(n) == 1 ? "" : "s")"
    }
}

extension ProfileText {
    /// One line of what a profile says: "decimal, 2 places, 0.01–9,876.54, median 49.90" or "shaped P99999 (100 %),
    /// lookup 99.9 %".
    static func brief(_ p: ColumnProfile, date: CalendarDate) -> String {
        var parts: [String] = []
        if let n = p.numbers {
            if p.type == .date {
                parts.append("dates \(date.adding(days: Int(n.min))) to \(date.adding(days: Int(n.max)))")
            } else {
                let places = n.usualPlaces
                parts.append(
                    "\(p.type.rawValue)\(p.type == .decimal ? ", \(Noun.count(places, "place"))" : ""), \(number(n.min, places: places))–\(number(n.max, places: places)), median \(number(n.median, places: places))"
                )
            }
        } else if let values = p.values, !values.isEmpty, values.count <= 8 {
            parts.append("values \(values.map { Text.quoted($0.value, limit: 20) }.joined(separator: ", "))")
        } else if p.shapesCover, let top = p.shapes.first {
            parts.append("shaped \(top.form) (\(percent(Double(top.count) / Double(max(p.nonNull, 1)))))")
        } else if let low = p.minLength, let high = p.maxLength {
            parts.append("text of \(low)–\(high) characters")
        }
        if p.nulls > 0 { parts.append("\(percent(p.nullShare)) empty") }
        if let lookup = p.lookup { parts.append("lookup \(percent(lookup.share))") }
        return parts.joined(separator: ", ")
    }
}
