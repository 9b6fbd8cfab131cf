import Foundation

/// Which one reading of the cast vocabulary explains a column's values that fail their declared type — or why
/// none may be chosen. Never a guess: a rival reading that reads as many values differently makes it ambiguous.
public enum ReadingInference: Sendable, Equatable {
    /// The reading, and how many of the values it read.
    case reading(CastReading, reads: Int)
    /// Two readings fit and disagree: the example and both answers.
    case ambiguous(String)
    case none

    /// Date readings producers are seen to switch to, most specific first.
    static let datePatterns = [
        "dd.MM.yyyy", "d.M.yyyy", "dd/MM/yyyy", "d/M/yyyy", "MM/dd/yyyy", "M/d/yyyy", "dd-MM-yyyy", "MM-dd-yyyy",
        "yyyy/MM/dd", "yyyy.MM.dd", "yyyyMMdd", "dd.MM.yy", "dd/MM/yy", "MM/dd/yy",
        "d MMM yyyy", "dd MMM yyyy", "d-MMM-yyyy", "dd-MMM-yyyy", "dd-MMM-yy", "MMM d, yyyy", "MMM dd, yyyy", "MMM d yyyy",
        "d MMMM yyyy", "MMMM d, yyyy", "dd.MM.yyyy HH:mm", "dd.MM.yyyy HH:mm:ss", "dd/MM/yyyy HH:mm", "dd/MM/yyyy HH:mm:ss",
        "MM/dd/yyyy HH:mm", "MM/dd/yyyy HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd HH:mm:ss",
    ]

    static let dateReadings: [CastReading] = [.iso8601] + datePatterns.compactMap { DateFormat($0).map(CastReading.date) }

    /// Number readings: separators first, then currency and negatives only where the values show them.
    static func numberReadings(for values: [String]) -> [CastReading] {
        let separators = [
            "decimal_point", "thousands_comma", "thousands_apostrophe", "thousands_space", "thousands_dot",
            "decimal_comma", "decimal_comma+thousands_space", "decimal_comma+thousands_apostrophe",
        ]
        let currency = values.contains { $0.contains { !$0.isNumber && !",.'-+() \u{00A0}\u{202F}".contains($0) } }
        let parentheses = values.contains { $0.hasPrefix("(") }
        let trailing = values.contains { $0.hasSuffix("-") }
        var out: [CastReading] = []
        for base in separators {
            for withCurrency in currency ? [false, true] : [false] {
                for negative in [nil] + (parentheses ? ["parentheses_negative"] : []) + (trailing ? ["trailing_minus"] : []) {
                    var words = base == "decimal_point" ? [] : [base]
                    if withCurrency { words.append("currency") }
                    if let negative { words.append(negative) }
                    if words.isEmpty { words = ["decimal_point"] }
                    if let reading = CastReading(type: .decimal, format: words.joined(separator: "+")) { out.append(reading) }
                }
            }
        }
        return out
    }

    /// Whether a column's failing values are drift rather than a few bad rows: at least 3, and a twentieth of them.
    public static func isDrift(failing: Int, values: Int) -> Bool { failing >= 3 && failing * 20 >= values }

    /// The reading that reads at least 95 % of `values` (the values that fail `column`'s type) for the column's type.
    public static func infer(_ values: [String], for column: ColumnSpec) -> ReadingInference {
        guard !values.isEmpty else { return .none }
        let candidates: [CastReading]
        switch column.type {
        case .date: candidates = dateReadings
        case .decimal, .integer: candidates = numberReadings(for: values)
        case .string, .boolean, .timestamp: return .none
        }
        // An integer column's values are read as decimals first, so `1,234` as 1.234 stays a rival of 1234: the
        // type alone does not prove the separator is a thousands one (the producer may have moved to decimals).
        var asRead = column
        if column.type == .integer { asRead.type = .decimal }
        let fits: (String) -> Bool = column.type == .integer ? { !$0.contains(".") && ValueParser.integer($0) != nil } : { _ in true }
        let results = candidates.map { reading in (reading, values.map { reading.convert($0, to: asRead) }) }
        // (reading, outputs, values read as the column's type, values read at all)
        let counted = results.map { ($0.0, $0.1, $0.1.count { $0.map(fits) ?? false }, $0.1.count { $0 != nil }) }
        guard let best = counted.max(by: { $0.2 < $1.2 }), best.2 * 100 >= values.count * 95 else { return .none }
        // A rival ruled out by less than 1 % of the values (a typo) is no proof: then the choice is not made.
        let margin = max(1, values.count / 100)
        for rival in counted where rival.3 > best.2 - margin && rival.0 != best.0 {
            for (i, value) in values.enumerated() {
                if let a = best.1[i], let b = rival.1[i], a != b {
                    return .ambiguous("\(Text.quoted(value)) reads as \(a) with \(best.0) and as \(b) with \(rival.0)")
                }
            }
        }
        return .reading(best.0, reads: best.2)
    }
}
