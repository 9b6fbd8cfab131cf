import Foundation

/// The declared types a contract column can have.
public enum ColumnType: String, Sendable, CaseIterable, Codable {
    case string, integer, decimal, date, timestamp, boolean
}

/// How a contract (or a cast) writes numbers: `1.234,56 €` is decimal ",", thousands ".", currency ["€"];
/// `(12.50)` and `12.50-` are negatives when the reading says so.
public struct NumberFormat: Sendable, Equatable, Codable {
    public var decimalSeparator: UInt8 = UInt8(ascii: ".")
    public var thousandsSeparator: UInt8?
    /// Tried in order, so longer symbols come first (`US$` before `$`).
    public var currency: [String] = [] {
        didSet { if !currency.elementsEqual(currency.sorted(by: { $0.count > $1.count })) { currency.sort { $0.count > $1.count } } }
    }
    public var parenthesesNegative = false
    public var trailingMinus = false

    public init() {}

    /// Plain `-1234.56` text, or nil when `text` is not a number in this format (grouping must be by threes).
    public func plain(_ text: String) -> String? {
        var t = Substring(text.trimmingCharacters(in: .whitespaces))
        if thousandsSeparator == UInt8(ascii: " ") {
            // A space groups thousands as U+0020, a no-break space or a narrow no-break space.
            t = Substring(t.replacingOccurrences(of: "\u{00A0}", with: " ").replacingOccurrences(of: "\u{202F}", with: " "))
        }
        var negative = false
        if parenthesesNegative, t.hasPrefix("("), t.hasSuffix(")") {
            negative = true
            t = t.dropFirst().dropLast()
        }
        func stripCurrency() {
            for symbol in currency {
                if t.hasPrefix(symbol) {
                    t = t.dropFirst(symbol.count).drop { $0 == " " || $0 == "\u{00A0}" }
                    return
                }
                if t.hasSuffix(symbol) {
                    t = Substring(t.dropLast(symbol.count).trimmingCharacters(in: [" ", "\u{00A0}"]))
                    return
                }
            }
        }
        stripCurrency()
        if trailingMinus, !negative, t.hasSuffix("-") {
            negative = true
            t = t.dropLast()
        }
        if !negative, t.first == "-" || t.first == "+" {
            negative = t.first == "-"
            t = t.dropFirst()
            // "-€5" as well as "€-5".
            stripCurrency()
        }
        let bytes = Array(t.utf8)
        var integer: [UInt8] = []
        var fraction: [UInt8] = []
        var sawDecimal = false
        var groups: [Int] = [0]
        for b in bytes {
            if b == decimalSeparator && !sawDecimal {
                sawDecimal = true
            } else if let thousands = thousandsSeparator, b == thousands, !sawDecimal {
                groups.append(0)
            } else if b >= 48 && b <= 57 {
                if sawDecimal {
                    fraction.append(b)
                } else {
                    integer.append(b)
                    groups[groups.count - 1] += 1
                }
            } else {
                return nil
            }
        }
        guard !integer.isEmpty || !fraction.isEmpty, !sawDecimal || !fraction.isEmpty else { return nil }
        if groups.count > 1 {
            guard (1...3).contains(groups[0]), groups.dropFirst().allSatisfy({ $0 == 3 }) else { return nil }
        }
        var out = negative ? "-" : ""
        out += integer.isEmpty ? "0" : String(decoding: integer, as: UTF8.self)
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
    /// Digits after the point a decimal column holds (`scale: 2`): the table declares it, and a value with more is
    /// refused rather than rounded by the warehouse.
    public var scale: Int?
    /// Where the column comes from, for the load's schema policy and for messages; nil when no contract typed it.
    public var origin: ColumnOrigin?

    public init(
        name: String,
        type: ColumnType = .string,
        required: Bool = true,
        nullable: Bool = true,
        formats: [DateFormat] = [DateFormat.iso]
    ) {
        self.name = name
        self.type = type
        self.required = required
        self.nullable = nullable
        self.formats = formats
    }
}

/// Where a column of an artifact comes from: a contract names it, the file brought it beside the contract, or a
/// transform added it (a lookup join or a computed expression).
public enum ColumnOrigin: Sendable, Equatable, Codable {
    case contract(skill: String)
    case file
    case lookup(skill: String)
    case computed(skill: String)

    /// `from the file`, `computed in skills/sales-transform.yml`: for messages that send a user to fix it.
    public var described: String {
        switch self {
        case .contract(let skill): return "declared in skills/\(skill).yml"
        case .file: return "from the file, not in the contract"
        case .lookup(let skill): return "joined by the lookup in skills/\(skill).yml"
        case .computed(let skill): return "computed in skills/\(skill).yml"
        }
    }
}

/// Parses text as a declared type; `nil` means it does not parse.
public enum ValueParser {
    /// `-?[0-9]+`, at most 18 digits so it fits a 64-bit integer.
    public static func integer(_ text: String) -> Int64? { withBytes(text, integer) }

    /// Decimal text (`12.5`, `.5`, `+5`, `5.`, `1e3`), parsed exactly (no binary floating point).
    public static func decimal(_ text: String) -> Decimal? { withBytes(text, decimal) }

    /// Whether `text` is plain decimal text, without building the value.
    public static func isDecimal(_ text: String) -> Bool { withBytes(text, isDecimal) }

    private static func withBytes<T>(_ text: String, _ parse: (FieldBytes) -> T) -> T {
        var text = text
        return text.withUTF8 { parse(FieldBytes($0)) }
    }

    static let posix = Locale(identifier: "en_US_POSIX")

    /// What PostgreSQL's boolin reads: any prefix of true/false/yes/no, on/off, 1/0, in any case ("o" alone is
    /// neither). A contract's `true_values`/`false_values` replace these.
    public static func boolean(_ text: String, trueTokens: [String]?, falseTokens: [String]?) -> Bool? {
        guard trueTokens != nil || falseTokens != nil else { return boolean(text) }
        let lower = text.lowercased()
        if (trueTokens ?? []).contains(where: { $0.lowercased() == lower }) { return true }
        if (falseTokens ?? []).contains(where: { $0.lowercased() == lower }) { return false }
        return nil
    }

    public static func boolean(_ text: String) -> Bool? {
        let lower = text.lowercased()
        switch lower {
        case "", "o": return nil
        case "1", "on": return true
        case "0", "of", "off": return false
        default:
            if "true".hasPrefix(lower) || "yes".hasPrefix(lower) { return true }
            if "false".hasPrefix(lower) || "no".hasPrefix(lower) { return false }
            return nil
        }
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
        var i = 0
        var negative = false
        if f[0] == UInt8(ascii: "-") || f[0] == UInt8(ascii: "+") {
            negative = f[0] == UInt8(ascii: "-")
            i = 1
        }
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

    /// Decimal text as PostgreSQL's numeric input reads it: `[+-]?` then `12`, `12.5`, `.5` or `12.`, then an
    /// optional exponent `e[+-]?[0-9]+`. NaN and Infinity are not amounts and stay refused.
    public static func isDecimal(_ f: FieldBytes) -> Bool {
        var sawDigit = false
        var sawDot = false
        var i = 0
        let n = f.count
        if n > 0 && (f[0] == UInt8(ascii: "-") || f[0] == UInt8(ascii: "+")) { i = 1 }
        while i < n {
            let b = f[i]
            if b == UInt8(ascii: ".") {
                if sawDot { return false }
                sawDot = true
            } else if isDigit(b) {
                sawDigit = true
            } else if (b == UInt8(ascii: "e") || b == UInt8(ascii: "E")) && sawDigit {
                i += 1
                if i < n && (f[i] == UInt8(ascii: "-") || f[i] == UInt8(ascii: "+")) { i += 1 }
                guard i < n else { return false }
                while i < n {
                    guard isDigit(f[i]) else { return false }
                    i += 1
                }
                return true
            } else {
                return false
            }
            i += 1
        }
        return sawDigit
    }

    /// Whether the text is already what heal writes for a decimal (`-?[0-9]+(\.[0-9]+)?`): most values are,
    /// so only the others (`.5`, `+5`, `5.`, `1e3`) are rewritten.
    @inline(__always)
    static func isPlainDecimal(_ f: FieldBytes) -> Bool {
        var i = 0
        var digitsBefore = 0
        var sawDot = false
        var digitsAfter = 0
        if f.count > 0 && f[0] == UInt8(ascii: "-") { i = 1 }
        while i < f.count {
            let b = f[i]
            if b == UInt8(ascii: ".") {
                if sawDot { return false }
                sawDot = true
            } else if isDigit(b) {
                if sawDot { digitsAfter += 1 } else { digitsBefore += 1 }
            } else {
                return false
            }
            i += 1
        }
        return digitsBefore > 0 && (!sawDot || digitsAfter > 0)
    }

    /// `.5` → `0.5`, `+5` → `5`, `5.` → `5`, `1.5e3` → `1500`: the plain text of any decimal literal; nil when invalid.
    static func plainDecimal(_ f: FieldBytes) -> String? {
        if isPlainDecimal(f) { return f.string }
        guard isDecimal(f) else { return nil }
        var text = f.string
        if text.hasPrefix("+") { text.removeFirst() }
        if text.contains(where: { $0 == "e" || $0 == "E" }) {
            return Decimal(string: text, locale: posix)?.plainText
        }
        var negative = false
        if text.hasPrefix("-") {
            negative = true
            text.removeFirst()
        }
        if text.hasPrefix(".") { text = "0" + text }
        if text.hasSuffix(".") { text.removeLast() }
        return (negative ? "-" : "") + text
    }

    /// Exact significand and scale of decimal text with at most 18 digits and no exponent (value = significand /
    /// 10^scale), in one pass: this runs for every decimal field a load binds.
    @inline(__always)
    public static func scaled(_ f: FieldBytes) -> (significand: Int64, scale: Int)? {
        let n = f.count
        var i = 0
        var negative = false
        if n > 0 && (f[0] == UInt8(ascii: "-") || f[0] == UInt8(ascii: "+")) {
            negative = f[0] == UInt8(ascii: "-")
            i = 1
        }
        var significand: Int64 = 0
        var digits = 0
        var scale = 0
        var sawDot = false
        var sawDigit = false
        while i < n {
            let b = f[i]
            i += 1
            if b == UInt8(ascii: ".") {
                if sawDot { return nil }
                sawDot = true
                continue
            }
            guard isDigit(b) else { return nil }
            sawDigit = true
            if digits == 0 && b == 48 && !sawDot { continue }
            significand = significand &* 10 &+ Int64(b - 48)
            digits += 1
            if sawDot { scale += 1 }
        }
        guard sawDigit, digits <= 18 else { return nil }
        return (negative ? -significand : significand, scale)
    }

    /// Significant digits after the point of decimal text (`12.50` has 1, `1e-3` has 3): what a scale must hold.
    public static func fractionDigits(_ text: String) -> Int {
        var text = text
        return text.withUTF8 { bytes in
            let f = FieldBytes(bytes)
            guard let plain = plainDecimal(f) else { return 0 }
            guard let dot = plain.firstIndex(of: ".") else { return 0 }
            return plain[plain.index(after: dot)...].reversed().drop { $0 == "0" }.count
        }
    }

    /// Significant digits of decimal text (`0012.50` has 3): SQLite holds 15 of them exactly in a REAL.
    public static func significantDigits(_ f: FieldBytes) -> Int {
        guard let plain = plainDecimal(f) else { return 0 }
        let digits = plain.filter(\.isNumber).drop { $0 == "0" }
        return max(1, digits.reversed().drop { $0 == "0" }.count)
    }

    public static func decimal(_ f: FieldBytes) -> Decimal? {
        if let (significand, scale) = scaled(f) {
            return Decimal(sign: significand < 0 ? .minus : .plus, exponent: -scale, significand: Decimal(significand.magnitude))
        }
        // More than 18 digits: Foundation's parser, still exact.
        return plainDecimal(f).flatMap { Decimal(string: $0, locale: posix) }
    }

    static let powersOfTen: [Double] = (0...22).map { pow(10, Double($0)) }

    /// The nearest double, correctly rounded (one IEEE division of two exact values), as strtod gives.
    public static func double(_ f: FieldBytes) -> Double? {
        if let (significand, scale) = scaled(f), significand.magnitude < 1 << 53, scale <= 22 {
            return Double(significand) / powersOfTen[scale]
        }
        return plainDecimal(f).flatMap { Double($0) }
    }

    public static func boolean(_ f: FieldBytes) -> Bool? {
        guard f.count <= 5, f.count > 0 else { return nil }
        return boolean(f.string)
    }
}

extension ColumnType {
    /// Whether every value of `other` is also a value of this type, written as this type: text holds anything,
    /// a decimal an integer, a timestamp a date (at midnight), an integer a boolean (0 or 1).
    public func holds(_ other: ColumnType) -> Bool {
        switch (self, other) {
        case _ where self == other: return true
        case (.string, _), (.decimal, .integer), (.timestamp, .date), (.integer, .boolean): return true
        default: return false
        }
    }

    /// The narrowest type that holds both: integer → decimal → text, date → timestamp → text.
    public func widened(with other: ColumnType) -> ColumnType {
        if holds(other) { return self }
        if other.holds(self) { return other }
        return .string
    }
}
