import Foundation

/// One written column's conversion from the data's text to the value its table column holds: exact decimals,
/// ISO dates, timestamps with a space (instants in UTC), booleans as the warehouse keeps them.
///
/// Text that does not convert fails the load: the checks before it passed the value, so this is a defect to
/// report, never a value to write as something else. A class, so the hot loop holds one reference per column;
/// unchecked Sendable: it holds only constants, and ValueCheck's are immutable too.
final class LoadValue: @unchecked Sendable {
    enum Value {
        case null
        case integer(Int64)
        case real(Double)
        /// The field's own bytes, valid while the batch is.
        case bytes(FieldBytes)
        case text(String)
    }

    let write: LoadPlan.Write
    let dialect: SQLDialect
    let check: ValueCheck
    /// The data's text is already what the table holds: no parsing at all.
    let passThrough: Bool
    /// Numbers need the contract's separators or currency read before they parse.
    let rewrites: Bool

    init(_ write: LoadPlan.Write, dialect: SQLDialect) {
        self.write = write
        self.dialect = dialect
        check = ValueCheck(write.spec)
        passThrough = write.type == .string && write.spec.type == .string
        rewrites = check.rewrites
    }

    /// The value for one non-empty field; `line` names it in an error.
    @inline(__always)
    func convert(_ f: FieldBytes, line: Int) throws -> Value {
        if passThrough { return .bytes(f) }
        let f = f.trimmed
        if f.isEmpty { return .null }
        guard let value = slowConvert(f, line: line) else { throw refusal(f, line: line) }
        return value
    }

    private func slowConvert(_ f: FieldBytes, line: Int) -> Value? {
        switch (write.type, write.spec.type) {
        case (.integer, .boolean), (.boolean, .boolean):
            guard let canonical = check.canonical(f), let value = ValueParser.boolean(canonical) else { return nil }
            if dialect == .postgres && write.type == .boolean { return .text(value ? "t" : "f") }
            return .integer(value ? 1 : 0)
        case (.integer, .integer):
            if !rewrites, let value = ValueParser.integer(f) { return .integer(value) }
            return check.canonical(f).flatMap(ValueParser.integer).map(Value.integer)
        case (.decimal, .integer), (.decimal, .decimal):
            return decimal(f)
        case (.date, .date):
            if CalendarDate.isISO(f) { return .bytes(f) }
            return check.time(f).map { .text($0.sqlText) }
        case (.timestamp, .date), (.timestamp, .timestamp):
            guard var time = check.time(f) else { return nil }
            time.isDate = false
            time.isInstant = write.instants
            return .text(time.sqlText)
        case (.string, .date), (.string, .timestamp):
            return check.time(f).map { .text($0.sqlText) }
        case (.string, _):
            return check.canonical(f).map(Value.text)
        default:
            return nil
        }
    }

    /// Exact text for PostgreSQL; for SQLite a REAL, which reads back as written up to 15 significant digits.
    private func decimal(_ f: FieldBytes) -> Value? {
        if !rewrites, let (significand, scale) = ValueParser.scaled(f) {
            // The common case, one pass over the bytes: plain text of at most 18 digits.
            var (s, e) = (significand, scale)
            if let limit = write.scale, e > limit {
                while e > limit && s % 10 == 0 {
                    s /= 10
                    e -= 1
                }
                if e > limit { return nil }
            }
            switch dialect {
            case .postgres:
                return ValueParser.isPlainDecimal(f) ? .bytes(f) : ValueParser.plainDecimal(f).map(Value.text)
            case .sqlite:
                if s.magnitude >= Self.exactREALLimit {
                    while s != 0 && s % 10 == 0 { s /= 10 }
                    if s.magnitude >= Self.exactREALLimit { return nil }
                }
                // Exact significand over an exact power of ten: one correctly rounded division, as strtod gives.
                if significand.magnitude < 1 << 53 && scale <= 22 { return .real(Double(significand) / ValueParser.powersOfTen[scale]) }
                return ValueParser.double(f).map(Value.real)
            }
        }
        guard let plain = check.canonical(f) else { return nil }
        var copy = plain
        let digits = copy.withUTF8 { ValueParser.significantDigits(FieldBytes($0)) }
        if let scale = write.scale, ValueParser.fractionDigits(plain) > scale { return nil }
        switch dialect {
        case .postgres: return .text(plain)
        case .sqlite:
            guard digits <= Self.exactREALDigits else { return nil }
            return copy.withUTF8 { ValueParser.double(FieldBytes($0)) }.map(Value.real)
        }
    }

    /// Significant digits a SQLite REAL reads back exactly as written.
    static let exactREALDigits = 15
    static let exactREALLimit: UInt64 = 1_000_000_000_000_000

    private func refusal(_ f: FieldBytes, line: Int) -> SkillFailure {
        let shown = "source line \(line): \(write.name) \(Text.quoted(f.string, limit: 40))"
        // Why a decimal that parses was refused, worked out again here: the hot path keeps no state.
        let plain = write.type == .decimal ? check.canonical(f) : nil
        let fraction = plain.map(ValueParser.fractionDigits) ?? 0
        var digits = 0
        if var text = plain { digits = text.withUTF8 { ValueParser.significantDigits(FieldBytes($0)) } }
        if plain != nil, let scale = write.scale, fraction > scale {
            return SkillFailure(
                .parseError,
                "\(shown) has \(fraction) digits after the point; the table's column holds \(scale) and the warehouse would round it; declare scale: \(fraction) in the contract and set type_changes: widen, or fix the value; nothing was loaded"
            )
        }
        if plain != nil, dialect == .sqlite, digits > Self.exactREALDigits {
            return SkillFailure(
                .parseError,
                "\(shown) has \(digits) significant digits; SQLite keeps 15 exactly, so it would not read back as written: declare the column type: string, or load into PostgreSQL; nothing was loaded"
            )
        }
        return SkillFailure(
            .parseError,
            "\(shown) is not \(write.spec.expectation), which the table's \(write.type.rawValue) column needs; nothing was loaded"
        )
    }
}
