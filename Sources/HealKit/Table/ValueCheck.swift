import Foundation

/// A contract column compiled for the data path: does a field's text parse as the column's type,
/// and what is its canonical text (plain numbers, ISO dates, true/false)?
/// A class: the hot loops hold one reference instead of copying the column's strings and arrays per field.
final class ValueCheck {
    let column: ColumnSpec
    /// A timestamp column's formats split once: patterns with a time, and plain date patterns (midnight).
    fileprivate let timeFormats: [DateFormat]
    fileprivate let dateFormats: [DateFormat]

    init(_ column: ColumnSpec) {
        self.column = column
        timeFormats = column.formats.filter { !$0.isDateOnly }
        dateFormats = column.formats.filter(\.isDateOnly)
    }

    /// Whether non-empty, trimmed `f` is a valid value of the column.
    @inline(__always)
    func accepts(_ f: FieldBytes) -> Bool {
        switch column.type {
        case .string: return true
        case .integer:
            if column.number == nil { return ValueParser.integer(f) != nil }
            return canonical(f) != nil
        case .decimal:
            if column.number == nil && column.scale == nil { return ValueParser.isDecimal(f) }
            return canonical(f) != nil
        case .boolean:
            if column.trueTokens == nil && column.falseTokens == nil { return ValueParser.boolean(f) != nil }
            return canonical(f) != nil
        case .date:
            for format in column.formats where CalendarDate.parse(bytes: f.buffer, format: format) != nil { return true }
            return column.autoDates && AutoDate.parse(f.string, dayFirst: column.dayFirst).map { !$0.hasTime } == true
        case .timestamp:
            return canonical(f) != nil
        }
    }

    /// Whether values need rewriting to be loaded as their type (not already plain / ISO).
    var rewrites: Bool {
        switch column.type {
        case .string: return false
        case .integer, .decimal: return column.number != nil
        case .boolean: return column.trueTokens != nil || column.falseTokens != nil
        case .date, .timestamp: return true
        }
    }

    /// The value as heal stores it: `-1234.56`, `2026-11-21`, `2026-11-21T08:15:00Z`, `true`; nil when invalid.
    func canonical(_ f: FieldBytes) -> String? {
        let text = f.string
        switch column.type {
        case .string: return text
        case .integer:
            guard let plain = column.number.map({ $0.plain(text) }) ?? text, !plain.contains(".") else { return nil }
            return ValueParser.integer(plain).map(String.init)
        case .decimal:
            guard let plain = column.number.map({ $0.plain(text) }) ?? text, ValueParser.isDecimal(plain) else { return nil }
            if let scale = column.scale, ValueParser.fractionDigits(plain) > scale { return nil }
            return plain
        case .boolean:
            return ValueParser.boolean(text, trueTokens: column.trueTokens, falseTokens: column.falseTokens).map { $0 ? "true" : "false" }
        case .date:
            if let date = CalendarDate.parse(bytes: f.buffer, formats: column.formats) { return date.description }
            guard column.autoDates, let value = AutoDate.parse(text, dayFirst: column.dayFirst), !value.hasTime else { return nil }
            return value.description
        case .timestamp:
            for format in timeFormats {
                if let value = format.parseDateTime(f.buffer) { return value.description }
            }
            if let date = CalendarDate.parse(bytes: f.buffer, formats: dateFormats) { return DateTimeText(date: date).description }
            guard column.autoDates || column.formats.isEmpty, let value = AutoDate.parse(text, dayFirst: column.dayFirst) else {
                return nil
            }
            return value.description
        }
    }
}

extension ValueCheck {
    /// A date or timestamp column's value as a point in time; nil when it does not parse.
    func time(_ f: FieldBytes) -> TimeValue? {
        switch column.type {
        case .date:
            if let date = CalendarDate.parse(bytes: f.buffer, formats: column.formats) { return TimeValue(date: date) }
            guard column.autoDates, let value = AutoDate.parse(f.string, dayFirst: column.dayFirst), !value.hasTime else { return nil }
            return TimeValue(date: value.date)
        case .timestamp:
            for format in timeFormats {
                if let value = format.parseDateTime(f.buffer) { return TimeValue(value) }
            }
            if let date = CalendarDate.parse(bytes: f.buffer, formats: dateFormats) { return TimeValue(date: date) }
            guard column.autoDates || column.formats.isEmpty, let value = AutoDate.parse(f.string, dayFirst: column.dayFirst) else {
                return nil
            }
            return TimeValue(value)
        default:
            return nil
        }
    }
}

extension ColumnSpec {
    /// "an integer", "a date (yyyy-MM-dd or MM/dd/yyyy)": what a value of this column must look like.
    var expectation: String {
        var formats = self.formats.map(\.pattern)
        if autoDates { formats.append(dayFirst ? "auto, day first" : "auto") }
        switch type {
        case .date: return "a date (\(formats.joined(separator: " or ")))"
        case .timestamp: return "a timestamp (\(formats.isEmpty ? "auto" : formats.joined(separator: " or ")))"
        case .integer: return "an integer\(number.map { " (\($0.summary))" } ?? "")"
        case .decimal:
            let parts = [number?.summary, scale.map { "at most \(Noun.count($0, "digit")) after the point" }].compactMap { $0 }
            return "a decimal\(parts.isEmpty ? "" : " (\(parts.joined(separator: ", ")))")"
        case .boolean:
            guard trueTokens != nil || falseTokens != nil else { return "a boolean" }
            return "a boolean (\(((trueTokens ?? []) + (falseTokens ?? [])).joined(separator: "/")))"
        case .string: return "a string"
        }
    }
}

extension NumberFormat {
    var summary: String {
        var parts = ["decimal '\(Character(UnicodeScalar(decimalSeparator)))'"]
        if let t = thousandsSeparator { parts.append("thousands '\(Character(UnicodeScalar(t)))'") }
        if !currency.isEmpty { parts.append("currency \(currency.joined(separator: " "))") }
        return parts.joined(separator: ", ")
    }
}
