import Foundation

/// The closed vocabulary a `cast` may name: another way this file writes a column's values. A cast adds the
/// reading for one file; values the reading cannot read keep their text and must still pass the contract.
///
/// Dates: a pattern (`dd.MM.yyyy`, `d MMM yyyy`, `MM/dd/yyyy HH:mm`) or `iso8601` (any ISO date or date-time;
/// the day as written). Numbers: `+`-joined words: `decimal_comma` (with `.` thousands unless another is named),
/// `thousands_comma`, `thousands_dot`, `thousands_space`, `thousands_apostrophe`, `currency`,
/// `parentheses_negative`, `trailing_minus` (`currency+thousands_comma+parentheses_negative` reads `($1,234.50)`).
public enum CastReading: Sendable, Equatable, CustomStringConvertible {
    case date(DateFormat)
    case iso8601
    case number(NumberFormat, words: [String])

    /// Symbols and ISO codes the `currency` word strips.
    public static let currencies = [
        "US$", "CA$", "A$", "R$", "$", "€", "£", "¥", "₹", "₩", "₽", "₺", "₪", "kr", "zł", "Fr.",
        "USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "INR", "CNY", "SEK", "NOK", "DKK", "PLN", "BRL", "MXN", "ZAR", "NZD",
    ]

    public static let numberWords = [
        "decimal_comma", "decimal_point", "thousands_comma", "thousands_dot", "thousands_space",
        "thousands_apostrophe", "currency", "parentheses_negative", "trailing_minus",
    ]

    /// The reading a cast's `format` names for a column of `type`; nil when it is not in the vocabulary.
    public init?(type: ColumnType, format: String) {
        switch type {
        case .date:
            if format == "iso8601" {
                self = .iso8601
                return
            }
            guard let pattern = DateFormat(format) else { return nil }
            self = .date(pattern)
        case .decimal, .integer:
            let words = format.split(separator: "+").map { String($0).trimmingCharacters(in: .whitespaces) }
            guard !words.isEmpty, words.allSatisfy(Self.numberWords.contains), Set(words).count == words.count else { return nil }
            var number = NumberFormat()
            var thousands: [UInt8] = []
            for word in words {
                switch word {
                case "decimal_comma": number.decimalSeparator = UInt8(ascii: ",")
                case "decimal_point": number.decimalSeparator = UInt8(ascii: ".")
                case "thousands_comma": thousands.append(UInt8(ascii: ","))
                case "thousands_dot": thousands.append(UInt8(ascii: "."))
                case "thousands_space": thousands.append(UInt8(ascii: " "))
                case "thousands_apostrophe": thousands.append(UInt8(ascii: "'"))
                case "currency": number.currency = Self.currencies
                case "parentheses_negative": number.parenthesesNegative = true
                default: number.trailingMinus = true
                }
            }
            guard thousands.count <= 1, !(words.contains("decimal_comma") && words.contains("decimal_point")) else { return nil }
            number.thousandsSeparator = thousands.first ?? (number.decimalSeparator == UInt8(ascii: ",") ? UInt8(ascii: ".") : nil)
            if number.thousandsSeparator == number.decimalSeparator { return nil }
            if type == .integer && words.contains("decimal_comma") && thousands.isEmpty { return nil }
            self = .number(number, words: words)
        case .string, .boolean, .timestamp:
            return nil
        }
    }

    /// The formats a cast of `type` may name, as the gate and the model's instructions state them.
    public static func vocabulary(for type: ColumnType) -> String {
        switch type {
        case .date: return "a date pattern of yyyy yy MM M MMM MMMM dd d (and HH mm ss for a date-time whose day is kept), or iso8601"
        case .decimal, .integer: return "words joined by +: \(numberWords.joined(separator: ", "))"
        default: return "no cast"
        }
    }

    /// The text a cast writes: `format` for the column's type.
    public var format: String {
        switch self {
        case .date(let pattern): return pattern.pattern
        case .iso8601: return "iso8601"
        case .number(_, let words): return words.joined(separator: "+")
        }
    }

    public var description: String { format }

    /// The value in the contract's own terms (its first date format, plain numbers); nil when this reading
    /// cannot read the text.
    public func convert(_ text: String, to column: ColumnSpec) -> String? {
        let trimmed = Text.trim(text)
        switch self {
        case .date(let pattern):
            var bytes = trimmed
            guard let day = bytes.withUTF8({ pattern.day($0) }) else { return nil }
            return day.format(column.formats.first(where: \.isDateOnly) ?? .iso)
        case .iso8601:
            guard case .some(.some(let value)) = AutoDate.isoLike(Array(trimmed.utf8)) else { return nil }
            return value.date.format(column.formats.first(where: \.isDateOnly) ?? .iso)
        case .number(let number, _):
            guard let plain = number.plain(trimmed) else { return nil }
            if column.type == .integer {
                guard !plain.contains("."), ValueParser.integer(plain) != nil else { return nil }
            }
            return plain
        }
    }
}
