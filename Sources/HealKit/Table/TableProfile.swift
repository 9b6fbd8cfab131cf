import Foundation

/// What `heal infer` learns from one streaming pass over a file: per column, the narrowest type every value fits,
/// its formats, null rate and distinct count; candidate keys; and a draft contract to start a skill from.
public struct TableProfile: Sendable {
    public struct Column: Sendable, Encodable {
        public var name: String
        public var type: ColumnType = .string
        public var formats: [String] = []
        public var decimalComma = false
        /// The most digits after the point a decimal value had: the draft contract's `scale`.
        public var scale: Int?
        public var nulls = 0
        /// Distinct non-null values, counted exactly up to `TableProfile.distinctCap`.
        public var distinct = 0
        public var distinctCapped = false
        public var examples: [String] = []
        /// Values that do not fit the inferred type (it fits at least 98% of them): they would be quarantined.
        public var misfits = 0
        public var misfitExamples: [String] = []
        /// The smallest and largest number seen, for a numeric column: what a drafted range rule starts from.
        public var minimum: Decimal?
        public var maximum: Decimal?
        /// Every distinct value, sorted, when there are at most `TableProfile.valueSetCap`: an allowed-set candidate.
        public var values: [String]?

        enum CodingKeys: String, CodingKey {
            case name, type, formats, scale, nulls, distinct, examples, misfits, minimum, maximum, values
            case decimalComma = "decimal_comma", distinctCapped = "distinct_capped", misfitExamples = "misfit_examples"
        }
    }

    public var file: String
    public var format: TableFormat
    public var rows = 0
    public var columns: [Column] = []

    /// Distinct values are tracked up to this many per column, so memory stays bounded on any file.
    public static let distinctCap = 100_000
    /// A column with this many distinct values or fewer reports them all.
    public static let valueSetCap = 12

    static let dateFormats = [
        "yyyy-MM-dd", "MM/dd/yyyy", "dd/MM/yyyy", "dd.MM.yyyy", "yyyy/MM/dd", "M/d/yyyy", "d.M.yyyy", "yyyyMMdd", "dd-MM-yyyy",
    ].compactMap { DateFormat($0) }
    static let timestampFormats = [
        "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ssXXX", "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
        "yyyy-MM-dd'T'HH:mm:ss.SSS",
    ].compactMap { DateFormat($0) }

    /// Reads the whole file once.
    public static func profile(_ url: URL, options: TableFormat.Options = .init()) throws -> TableProfile {
        let format = try TableFormat.detect(url, options: options)
        let reader = try Tables.open(url, format: format)
        var profile = TableProfile(file: url.path, format: format)
        var trackers = reader.header.map { ColumnTracker(name: $0) }
        try reader.forEachRow { row in
            profile.rows += 1
            for i in trackers.indices { trackers[i].add(row[i].trimmed) }
        }
        profile.columns = trackers.map(\.result)
        return profile
    }

    /// Columns with a value on every row and no repeats.
    public var candidateKeys: [String] {
        columns.filter { $0.nulls == 0 && !$0.distinctCapped && $0.distinct == rows && rows > 0 }.map(\.name)
    }

    /// A draft `validate_schema` skill, with the profile as comments.
    public func draftContract(generated: String) -> String {
        var out =
            "# Draft contract from \(URL(fileURLWithPath: file).lastPathComponent) (heal infer, \(generated)): \(Noun.count(rows, "row")), \(format.summary).\n"
        out += "# Review the types and nullability, then save it as skills/NAME.yml and name it in a playbook step.\n"
        out += "kind: validate_schema\n"
        var formatParts: [String] = []
        if format.kind != .csv { formatParts.append("type: \(format.kind.rawValue)") }
        if format.kind == .csv && format.delimiter != UInt8(ascii: ",") {
            formatParts.append("delimiter: \(format.delimiter == 9 ? "tab" : "\"\(Character(UnicodeScalar(format.delimiter)))\"")")
        }
        if format.encoding != .utf8 { formatParts.append("encoding: \(format.encoding.rawValue)") }
        if format.gzip { formatParts.append("compression: gzip") }
        if !formatParts.isEmpty { out += "format: { \(formatParts.joined(separator: ", ")) }\n" }
        out += "columns:\n"
        let keys = Set(candidateKeys)
        for column in columns {
            var parts = ["name: \(YAMLText.quote(column.name))", "type: \(column.type.rawValue)"]
            if !column.formats.isEmpty { parts.append("formats: [\(column.formats.map(YAMLText.quote).joined(separator: ", "))]") }
            if column.decimalComma { parts.append("decimal_separator: \",\"") }
            if column.type == .decimal, let scale = column.scale { parts.append("scale: \(scale)") }
            if keys.contains(column.name) { parts.append("nullable: false") }
            let nullPct = rows == 0 ? 0 : Double(column.nulls) / Double(rows) * 100
            var notes = [String(format: "null %.1f%%", nullPct), "\(column.distinctCapped ? "≥" : "")\(column.distinct) distinct"]
            if keys.contains(column.name) { notes.append("candidate key") }
            if column.misfits > 0 {
                notes.append(
                    "\(Noun.count(column.misfits, "value")) do not fit (e.g. \(column.misfitExamples.map { Text.quoted($0, limit: 24) }.joined(separator: ", ")))"
                )
            }
            if !column.examples.isEmpty {
                notes.append("e.g. \(column.examples.prefix(3).map { Text.quoted($0, limit: 24) }.joined(separator: ", "))")
            }
            out += "  - { \(parts.joined(separator: ", ")) }  # \(notes.joined(separator: "; "))\n"
        }
        if !keys.isEmpty {
            out += "# Candidate keys (unique, never empty): \(candidateKeys.joined(separator: ", ")). A quality skill can hold one:\n"
            out +=
                "#   kind: validate_quality\n#   rules:\n#     - unique: [\(candidateKeys[0])]\n#     - not_null: [\(candidateKeys[0])]\n"
        }
        return out
    }
}

/// Narrows one column's possible types as values stream past.
struct ColumnTracker {
    var column: TableProfile.Column
    var canInteger = true, canDecimal = true, canDecimalComma = true, canBoolean = true, canDate = true, canTimestamp = true, canAuto = true
    /// Values a date or number type could not read, kept while they stay under 2%.
    var dateMisses: [String] = [], decimalMisses: [String] = []
    var dateMissCount = 0, decimalMissCount = 0
    var usedDateFormats: [Int] = []
    var usedTimestampFormats: [Int] = []
    var sawComma = false
    var maxScale = 0
    var nonNull = 0
    var seen: Set<String> = []
    static let commaFormat: NumberFormat = {
        var f = NumberFormat()
        f.decimalSeparator = UInt8(ascii: ",")
        f.thousandsSeparator = UInt8(ascii: ".")
        return f
    }()

    /// Whether distinct values and ranges are kept (up to `distinctCap` strings): `heal infer` reports them, a type guess needs none.
    let countDistinct: Bool

    init(name: String, countDistinct: Bool = true) {
        column = TableProfile.Column(name: name)
        self.countDistinct = countDistinct
    }

    mutating func add(_ f: FieldBytes) {
        if f.isEmpty {
            column.nulls += 1
            return
        }
        nonNull += 1
        let text = f.string
        if countDistinct && !column.distinctCapped {
            if seen.insert(text).inserted {
                column.distinct += 1
                if column.examples.count < 3 { column.examples.append(text) }
                if seen.count >= TableProfile.distinctCap {
                    column.distinctCapped = true
                    seen = []
                }
            }
        }
        if canInteger && ValueParser.integer(f) == nil { canInteger = false }
        if canDecimal, let (_, scale) = ValueParser.scaled(f) { maxScale = max(maxScale, scale) }
        if countDistinct, canDecimal, let number = ValueParser.decimal(f) {
            if column.minimum.map({ number < $0 }) ?? true { column.minimum = number }
            if column.maximum.map({ number > $0 }) ?? true { column.maximum = number }
        }
        if canDecimal && !ValueParser.isDecimal(f) {
            decimalMissCount += 1
            if decimalMisses.count < 3 { decimalMisses.append(text) }
            if decimalMissCount * 50 > nonNull && nonNull >= 50 || nonNull < 50 && decimalMissCount > 1 { canDecimal = false }
        }
        if canDecimalComma {
            if ColumnTracker.commaFormat.plain(text) != nil { if text.contains(",") { sawComma = true } } else { canDecimalComma = false }
        }
        if canBoolean && (f.count > 5 || !["true", "false", "yes", "no", "t", "f", "y", "n"].contains(text.lowercased())) {
            canBoolean = false
        }
        if canDate {
            if let k = TableProfile.dateFormats.firstIndex(where: { CalendarDate.parse(bytes: f.buffer, format: $0) != nil }) {
                if !usedDateFormats.contains(k) { usedDateFormats.append(k) }
            } else {
                dateMissCount += 1
                if dateMisses.count < 3 { dateMisses.append(text) }
                if dateMissCount * 50 > nonNull && nonNull >= 50 || nonNull < 50 && dateMissCount > 1 { canDate = false }
            }
        }
        if canTimestamp {
            if let k = TableProfile.timestampFormats.firstIndex(where: { $0.parseDateTime(f.buffer) != nil }) {
                if !usedTimestampFormats.contains(k) { usedTimestampFormats.append(k) }
            } else {
                canTimestamp = false
            }
        }
        if canAuto && AutoDate.parse(text) == nil { canAuto = false }
    }

    var result: TableProfile.Column {
        var c = column
        guard nonNull > 0 else { return c }
        if countDistinct && !c.distinctCapped && c.distinct <= TableProfile.valueSetCap { c.values = seen.sorted() }
        if canBoolean {
            c.type = .boolean
        } else if canInteger {
            c.type = .integer
        } else if canDecimal && decimalMissCount * 50 <= nonNull {
            c.type = .decimal
            c.scale = maxScale
            (c.misfits, c.misfitExamples) = (decimalMissCount, decimalMisses)
        } else if canDecimalComma && sawComma {
            c.type = .decimal
            c.decimalComma = true
            (c.minimum, c.maximum) = (nil, nil)
        } else if canDate && dateMissCount * 50 <= nonNull && !usedDateFormats.isEmpty {
            c.type = .date
            c.formats = usedDateFormats.sorted().map { TableProfile.dateFormats[$0].pattern }
            (c.misfits, c.misfitExamples) = (dateMissCount, dateMisses)
        } else if canTimestamp {
            c.type = .timestamp
            c.formats = usedTimestampFormats.sorted().map { TableProfile.timestampFormats[$0].pattern }
        } else if canAuto {
            c.type = .date
            c.formats = ["auto"]
        }
        if c.type != .integer && (c.type != .decimal || c.decimalComma) { (c.minimum, c.maximum) = (nil, nil) }
        return c
    }
}

/// Quoting for the YAML heal writes: plain when safe, double-quoted otherwise.
enum YAMLText {
    static func quote(_ s: String) -> String {
        let plain =
            s.range(of: "^[A-Za-z_][A-Za-z0-9_ ./-]*$", options: .regularExpression) != nil
            && !["true", "false", "yes", "no", "null", "on", "off"].contains(s.lowercased()) && !s.hasSuffix(" ")
        if plain { return s }
        return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}
