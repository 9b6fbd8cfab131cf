import Foundation

/// What a warehouse query must answer: a value (numbers compare as numbers, so `3` equals `3.0`; `null` is no
/// value), or a comparison with a number (`> 0`, `>= 100`, `!= 0`, `< 5`, `= 12.5`).
public enum SQLExpectation: Sendable, Equatable, CustomStringConvertible {
    case equals(String)
    case compare(Comparison, Double)

    public enum Comparison: String, Sendable, CaseIterable {
        // Two-character operators first, so `>=` is not read as `>` then `=0`.
        case atLeast = ">="
        case atMost = "<="
        case notEqual = "!="
        case greater = ">"
        case less = "<"
        case equal = "="
    }

    /// `> 0` is a comparison; any other text (`13.5`, `EUR`, `null`) is the value expected.
    public init(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        for comparison in Comparison.allCases where trimmed.hasPrefix(comparison.rawValue) {
            let rest = trimmed.dropFirst(comparison.rawValue.count).trimmingCharacters(in: .whitespaces)
            if let number = Double(rest), number.isFinite {
                self = .compare(comparison, number)
                return
            }
        }
        self = .equals(text)
    }

    public var isComparison: Bool {
        if case .compare = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .equals(let value): return value
        case .compare(let comparison, let number):
            let shown = number == number.rounded() && abs(number) < 1e15 ? String(Int64(number)) : "\(number)"
            return "\(comparison.rawValue) \(shown)"
        }
    }

    /// Whether `answer` (nil for SQL NULL or no row) is what was expected. A comparison needs a number.
    public func holds(for answer: String?) -> Bool {
        switch self {
        case .equals(let expected):
            guard let answer else { return expected.lowercased() == "null" }
            if let a = Double(answer), let e = Double(expected) { return a == e }
            return answer == expected
        case .compare(let comparison, let bound):
            guard let answer, let value = Double(answer.trimmingCharacters(in: .whitespaces)) else { return false }
            switch comparison {
            case .atLeast: return value >= bound
            case .atMost: return value <= bound
            case .notEqual: return value != bound
            case .greater: return value > bound
            case .less: return value < bound
            case .equal: return value == bound
            }
        }
    }
}
