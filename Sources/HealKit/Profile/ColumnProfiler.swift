import Foundation

/// Builds one column's profile from its values in the pass a check already makes.
///
/// Memory is fixed per column whatever the file: the distinct sketch (2 KiB), up to 32 shapes of 32 bytes, up to
/// `valueCap` values, and for numbers and dates the quantile sketch (32 KiB). A lookup key shares the table's keys.
final class ColumnProfiler {
    static let valueCap = 32
    let column: ColumnSpec
    private let check: ValueCheck
    private let day: Int
    private let lookup: LookupKeys?
    private let plainNumbers: Bool
    private let tracksShapes: Bool
    private var tracksValues: Bool

    private var rows = 0, nulls = 0, misfits = 0
    private var minLength = Int.max, maxLength = 0
    private var distinct = DistinctSketch()
    private let shapes = ShapeTally()
    private var valueHashes: [UInt64] = []
    private var valueCounts: [Int] = []
    private var valueTexts: [String] = []
    private var lastValue = -1
    private var quantiles = QuantileSketch()
    private var low = Double.infinity, high = -Double.infinity, sum = 0.0
    private var places = [Int](repeating: 0, count: 7)
    private var checked = 0, matched = 0

    /// `date` is the run's logical date: dates are profiled as days from it, so a daily file's dates compare
    /// across days.
    init(column: ColumnSpec, date: CalendarDate, lookup: LookupKeys? = nil) {
        self.column = column
        check = ValueCheck(column)
        day = date.dayNumber
        self.lookup = lookup
        plainNumbers = column.number == nil
        tracksShapes = column.type == .string || column.type == .integer
        tracksValues = column.type == .string || column.type == .boolean
    }

    var isNumeric: Bool { column.type == .integer || column.type == .decimal || column.type == .date }

    /// Takes one trimmed value.
    @inline(__always)
    func add(_ f: FieldBytes) {
        rows += 1
        guard !f.isEmpty else {
            nulls += 1
            return
        }
        let hash = KeySet.hash(UnsafeRawBufferPointer(f.buffer))
        distinct.add(hash: hash)
        if f.count < minLength { minLength = f.count }
        if f.count > maxLength { maxLength = f.count }
        if tracksShapes { shapes.add(f) }
        if tracksValues { tally(f, hash) }
        if isNumeric {
            if let x = number(f) {
                quantiles.add(x)
                if x < low { low = x }
                if x > high { high = x }
                sum += x
            } else {
                misfits += 1
            }
        } else if column.type != .string, !check.accepts(f) {
            misfits += 1
        }
        if let lookup {
            checked += 1
            if lookup.keys.contains(UnsafeRawBufferPointer(f.buffer)) { matched += 1 }
        }
    }

    func add(_ text: String) {
        var text = text
        text.withUTF8 { add(FieldBytes($0).trimmed) }
    }

    @inline(__always)
    private func tally(_ f: FieldBytes, _ hash: UInt64) {
        if lastValue >= 0 && valueHashes[lastValue] == hash {
            valueCounts[lastValue] += 1
            return
        }
        if let i = valueHashes.firstIndex(of: hash) {
            valueCounts[i] += 1
            lastValue = i
            return
        }
        guard valueHashes.count < Self.valueCap else {
            tracksValues = false
            valueHashes = []
            valueCounts = []
            valueTexts = []
            return
        }
        valueHashes.append(hash)
        valueCounts.append(1)
        valueTexts.append(f.string)
        lastValue = valueHashes.count - 1
    }

    @inline(__always)
    private func number(_ f: FieldBytes) -> Double? {
        switch column.type {
        case .date:
            if let date = CalendarDate.parse(bytes: f.buffer, formats: column.formats) { return Double(date.dayNumber - day) }
            guard let text = check.canonical(f), let date = CalendarDate.parse(text, formats: [DateFormat.iso]) else { return nil }
            return Double(date.dayNumber - day)
        default:
            if plainNumbers, let (s, e) = ValueParser.scaled(f) {
                places[min(e, 6)] += 1
                return Double(s) / ValueParser.powersOfTen[min(e, 22)]
            }
            guard let text = check.canonical(f), let x = Double(text) else { return nil }
            if column.type == .integer && text.contains(".") { return nil }
            places[min(text.split(separator: ".").dropFirst().first?.count ?? 0, 6)] += 1
            return x
        }
    }

    var profile: ColumnProfile {
        var p = ColumnProfile(column: column.name, type: column.type)
        p.rows = rows
        p.nulls = nulls
        p.misfits = misfits
        p.distinct = min(distinct.estimate, rows - nulls)
        if rows > nulls {
            p.minLength = minLength
            p.maxLength = maxLength
        }
        if tracksShapes {
            let all = shapes.shapes
            p.shapes = Array(all.prefix(16))
            p.otherShapes = shapes.other + all.dropFirst(16).reduce(0) { $0 + $1.count }
        }
        if tracksValues {
            p.values = zip(valueTexts, valueCounts).map { ValueCount(value: $0, count: $1) }.sorted {
                $0.count > $1.count || ($0.count == $1.count && $0.value < $1.value)
            }
        }
        if isNumeric, quantiles.count > 0 {
            p.numbers = NumberSummary(
                count: quantiles.count,
                min: low,
                max: high,
                mean: sum / Double(quantiles.count),
                quantiles: NumberSummary.ranks.map { quantiles.quantile($0) ?? 0 },
                places: places
            )
        }
        if let lookup { p.lookup = LookupMatch(table: lookup.table, checked: checked, matched: matched) }
        return p
    }
}

/// The keys of an enrichment table, read once per run for every check that profiles its key column.
public final class LookupKeys: @unchecked Sendable {
    /// Read-only once built, so sharing it across tasks is safe.
    let keys: KeySet
    public let table: String
    public let column: String

    init(table: String, column: String, keys: KeySet) {
        self.table = table
        self.column = column
        self.keys = keys
    }

    /// The key column's values of a table file (any format the readers read).
    static func read(_ url: URL, column: String) throws -> LookupKeys {
        let reader = try Tables.open(url, format: TableFormat.detect(url))
        guard let index = reader.header.firstIndex(of: column) else {
            throw SkillFailure(
                .schemaMismatch,
                "lookup file \(url.lastPathComponent) has no column '\(column)' (columns: \(Text.names(reader.header)))"
            )
        }
        let keys = KeySet()
        try reader.forEachRow { row in
            let key = row[index].trimmed
            if !key.isEmpty { keys.insert(UnsafeRawBufferPointer(key.buffer)) }
        }
        return LookupKeys(table: url.lastPathComponent, column: column, keys: keys)
    }
}
