/// Counts violations by rule and column, and keeps a few examples for the details a human reads.
struct ViolationTally {
    private(set) var total = 0
    private(set) var counts: [String: Int] = [:]
    private(set) var examples: [String] = []
    private var order: [String] = []

    mutating func add(_ violation: Violation, line: Int) {
        total += 1
        let key = violation.column.isEmpty ? violation.rule : "\(violation.rule) \(violation.column)"
        if counts[key] == nil { order.append(key) }
        counts[key, default: 0] += 1
        if examples.count < 5 { examples.append("line \(line): \(violation.reason)") }
    }

    /// "12 of 200 rows fail (not_null amount: 3, unique sale_id: 9); e.g. line 17: …"
    func summary(rows: Int) -> String {
        let parts = order.map { "\($0): \(counts[$0]!)" }.joined(separator: ", ")
        return "\(total) of \(rows) rows fail (\(parts)); e.g. \(examples.joined(separator: "; "))"
    }
}

extension RowChecker {
    /// Reads every row of `reader` through this checker.
    func scan(_ reader: CSVReader) throws -> (rows: Int, tally: ViolationTally) {
        var tally = ViolationTally()
        var rows = 0
        while let record = try reader.next() {
            rows += 1
            if let violation = check(record) { tally.add(violation, line: record.line) }
        }
        return (rows, tally)
    }
}

enum Text {
    /// Trims spaces and tabs only, as CSV producers pad fields.
    @inline(__always) static func trim(_ s: String) -> String {
        guard let first = s.utf8.first, let last = s.utf8.last else { return s }
        if first != 32 && first != 9 && last != 32 && last != 9 { return s }
        return s.trimmingCharacters(in: [" ", "\t"])
    }

    static func quoted(_ value: String, limit: Int = 40) -> String {
        value.count > limit ? "'\(value.prefix(limit))…'" : "'\(value)'"
    }
}
