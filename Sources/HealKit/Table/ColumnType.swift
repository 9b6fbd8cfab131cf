import Foundation

/// The declared types a contract column can have.
public enum ColumnType: String, Sendable, CaseIterable, Codable {
    case string, integer, decimal, date, timestamp, boolean
}

/// How a contract writes numbers: `1.234,56 €` is decimal ",", thousands ".", currency ["€"].
public struct NumberFormat: Sendable, Equatable, Codable {
    public var decimalSeparator: UInt8 = UInt8(ascii: ".")
    public var thousandsSeparator: UInt8?
    public var currency: [String] = []

    public init() {}

    /// Plain `-1234.56` text, or nil when `text` is not a number in this format (grouping must be by threes).
    public func plain(_ text: String) -> String? {
        var t = Substring(text.trimmingCharacters(in: .whitespaces))
        for symbol in currency.sorted(by: { $0.count > $1.count }) {
            if t.hasPrefix(symbol) { t = t.dropFirst(symbol.count).drop { $0 == " " || $0 == "\u{00A0}" }; break }
            if t.hasSuffix(symbol) { t = Substring(t.dropLast(symbol.count).trimmingCharacters(in: [" ", "\u{00A0}"])); break }
        }
        var negative = false
        if t.first == "-" || t.first == "+" {
            negative = t.first == "-"
            t = t.dropFirst()
            // "-€5" as well as "€-5".
            for symbol in currency where t.hasPrefix(symbol) { t = t.dropFirst(symbol.count); break }
        }
        let bytes = Array(t.utf8)
        var integer: [UInt8] = [], fraction: [UInt8] = []
        var sawDecimal = false
        var groups: [Int] = [0]
        for b in bytes {
            if b == decimalSeparator && !sawDecimal {
                sawDecimal = true
            } else if let thousands = thousandsSeparator, b == thousands, !sawDecimal {
                groups.append(0)
            } else if b >= 48 && b <= 57 {
                if sawDecimal { fraction.append(b) } else { integer.append(b); groups[groups.count - 1] += 1 }
            } else {
                return nil
            }
        }
        guard !integer.isEmpty, !sawDecimal || !fraction.isEmpty else { return nil }
        if groups.count > 1 {
            guard (1...3).contains(groups[0]), groups.dropFirst().allSatisfy({ $0 == 3 }) else { return nil }
        }
        var out = negative ? "-" : ""
        out += String(decoding: integer, as: UTF8.self)
        if sawDecimal { out += "." + String(decoding: fraction, as: UTF8.self) }
        return out
    }
}

/// A column of a contract or of an artifact: its name, type and how its text parses.
public struct ColumnSpec: Sendable, Equatable, Codable {
    public var name: String
    public var type: ColumnType
    public var required: Bool
    public var nullable: Bool
    public var formats: [DateFormat]
    /// Other names the producer is known to use for this column (schema repair maps them back).
    public var aliases: [String] = []
    /// `formats: [auto]`: read any common date shape (see AutoDate), month-first unless `day_first`.
    public var autoDates = false
    public var dayFirst = false
    /// Set when the contract declares separators or currency symbols for this column.
    public var number: NumberFormat?
    /// Boolean tokens, compared case-insensitively; nil uses true/t/yes/y/1 and false/f/no/n/0.
    public var trueTokens: [String]?
    public var falseTokens: [String]?

    public init(name: String, type: ColumnType = .string, required: Bool = true, nullable: Bool = true, formats: [DateFormat] = [DateFormat.iso]) {
        self.name = name
        self.type = type
        self.required = required
        self.nullable = nullable
        self.formats = formats
    }
}

/// Parses text as a declared type; `nil` means it does not parse.
public enum ValueParser {
    /// `-?[0-9]+`, at most 18 digits so it fits a 64-bit integer.
    public static func integer(_ text: String) -> Int64? { withBytes(text, integer) }

    /// Plain decimal text `-?[0-9]+(\.[0-9]+)?`, parsed exactly (no binary floating point).
    public static func decimal(_ text: String) -> Decimal? { withBytes(text, decimal) }

    /// Whether `text` is plain decimal text, without building the value.
    public static func isDecimal(_ text: String) -> Bool { withBytes(text, isDecimal) }

    private static func withBytes<T>(_ text: String, _ parse: (FieldBytes) -> T) -> T {
        var text = text
        return text.withUTF8 { parse(FieldBytes($0)) }
    }

    static let posix = Locale(identifier: "en_US_POSIX")

    public static let trueTokens: Set<String> = ["true", "t", "yes", "y", "1"]
    public static let falseTokens: Set<String> = ["false", "f", "no", "n", "0"]

    public static func boolean(_ text: String, trueTokens: [String]?, falseTokens: [String]?) -> Bool? {
        guard trueTokens != nil || falseTokens != nil else { return boolean(text) }
        let lower = text.lowercased()
        if (trueTokens ?? []).contains(where: { $0.lowercased() == lower }) { return true }
        if (falseTokens ?? []).contains(where: { $0.lowercased() == lower }) { return false }
        return nil
    }

    public static func boolean(_ text: String) -> Bool? {
        let lower = text.lowercased()
        if trueTokens.contains(lower) { return true }
        if falseTokens.contains(lower) { return false }
        return nil
    }

    /// Whether `text` is a valid value of `column` (empty text is checked by nullability elsewhere).
    public static func accepts(_ text: String, as column: ColumnSpec) -> Bool {
        var text = text
        return text.withUTF8 { ValueCheck(column).accepts(FieldBytes($0)) }
    }
}

extension Decimal {
    /// Plain text with no exponent, as it should appear in a CSV or a SQL literal.
    public var plainText: String { description }
}

/// The same parsers over a field's bytes: the data path never builds a String to check a value.
extension ValueParser {
    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b >= 48 && b <= 57 }

    public static func integer(_ f: FieldBytes) -> Int64? {
        let n = f.count
        guard n > 0, n <= 19 else { return nil }
        var i = 0, negative = false
        if f[0] == UInt8(ascii: "-") || f[0] == UInt8(ascii: "+") { negative = f[0] == UInt8(ascii: "-"); i = 1 }
        guard i < n else { return nil }
        var value: Int64 = 0
        while i < n {
            let b = f[i]
            guard isDigit(b) else { return nil }
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = times.addingReportingOverflow(Int64(b - 48))
            guard !o1, !o2 else { return nil }
            value = next
            i += 1
        }
        return negative ? -value : value
    }

    /// Plain decimal text `[+-]?[0-9]+(\.[0-9]+)?`.
    public static func isDecimal(_ f: FieldBytes) -> Bool {
        var sawDigit = false, sawDot = false, fractionDigits = 0
        for i in 0..<f.count {
            let b = f[i]
            if i == 0 && (b == UInt8(ascii: "-") || b == UInt8(ascii: "+")) { continue }
            if b == UInt8(ascii: ".") {
                if sawDot || !sawDigit { return false }
                sawDot = true
                continue
            }
            guard isDigit(b) else { return false }
            sawDigit = true
            if sawDot { fractionDigits += 1 }
        }
        return sawDigit && (!sawDot || fractionDigits > 0)
    }

    /// Exact significand and scale of plain decimal text with at most 18 digits (value = significand / 10^scale).
    @inline(__always)
    public static func scaled(_ f: FieldBytes) -> (significand: Int64, scale: Int)? {
        guard isDecimal(f) else { return nil }
        var significand: Int64 = 0, digits = 0, scale = 0, negative = false, sawDot = false
        for i in 0..<f.count {
            let b = f[i]
            switch b {
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: "+"): break
            case UInt8(ascii: "."): sawDot = true
            default:
                if digits == 0 && b == 48 && !sawDot { continue }
                significand = significand &* 10 &+ Int64(b - 48)
                digits += 1
                if sawDot { scale += 1 }
            }
        }
        guard digits <= 18 else { return nil }
        return (negative ? -significand : significand, scale)
    }

    public static func decimal(_ f: FieldBytes) -> Decimal? {
        if let (significand, scale) = scaled(f) {
            return Decimal(sign: significand < 0 ? .minus : .plus, exponent: -scale, significand: Decimal(significand.magnitude))
        }
        // More than 18 digits: Foundation's parser, still exact.
        return isDecimal(f) ? Decimal(string: f.string, locale: posix) : nil
    }

    static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// The nearest double, correctly rounded (one IEEE division of two exact values), as strtod gives.
    public static func double(_ f: FieldBytes) -> Double? {
        if let (significand, scale) = scaled(f), significand.magnitude < 1 << 53, scale <= 22 {
            return Double(significand) / powersOfTen[scale]
        }
        return isDecimal(f) ? Double(f.string) : nil
    }

    public static func boolean(_ f: FieldBytes) -> Bool? {
        guard f.count <= 5 else { return nil }
        return boolean(f.string)
    }
}
