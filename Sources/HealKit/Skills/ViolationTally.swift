import Foundation

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
        return "\(total) of \(Noun.count(rows, "row")) fail (\(parts)); e.g. \(examples.joined(separator: "; "))"
    }
}

/// Writes rejected rows aside during a check's single pass.
final class RejectSpool {
    private let url: URL
    private let header: [String]
    private let input: URL
    private var writer: CSVWriter?
    private var rows = RowSet()
    private var reasons: [String: Int] = [:]

    private let limit: Int

    init(url: URL, header: [String], input: URL, limit: Int = InputLimits().maxRejects) {
        self.url = url
        self.header = header
        self.input = input
        self.limit = limit
    }

    func add(_ row: RowView, _ violation: Violation) throws {
        if rows.count >= limit {
            _ = try? writer?.finish()
            try? FileManager.default.removeItem(at: url)
            throw SkillFailure(
                violation.failureClass,
                "more than \(limit) rows fail (max_rejects), the last at line \(row.line) (\(violation.reason)); this is a bad file, not a few bad rows, so it is refused whole and nothing is quarantined (raise max_rejects in the contract's format: block if it is real)"
            )
        }
        if writer == nil { writer = try CSVWriter(url: url, header: QuarantineBatch.leadingColumns + header) }
        let key = violation.column.isEmpty ? violation.rule : "\(violation.rule):\(violation.column)"
        reasons[key, default: 0] += 1
        rows.insert(row.row)
        try writer!.write([String(row.line), violation.reason, violation.rule, violation.column, violation.value] + row.strings)
    }

    func finish() throws -> RejectedRows? {
        guard let writer else { return nil }
        try writer.finish()
        return RejectedRows(url: url, rows: rows, reasons: reasons, header: header, input: input)
    }
}

extension RowChecker {
    /// A row no check can judge: a broken line, or text with a NUL byte (which PostgreSQL refuses and no real
    /// value holds). Every row check quarantines these before its own rules.
    static func unreadable(_ row: RowView) -> Violation? {
        if let flaw = row.flaw {
            return Violation(failureClass: .parseError, rule: flaw.rule, column: "", value: "", reason: flaw.reason)
        }
        if row.containsNUL {
            let column = (0..<row.count).first { i in row[i].buffer.contains(0) } ?? 0
            return Violation(
                failureClass: .parseError,
                rule: "nul_byte",
                column: "",
                value: "field \(column + 1)",
                reason: "field \(column + 1) holds a NUL byte (0x00), which is not text; the row is set aside"
            )
        }
        return nil
    }

    /// Reads every row through this checker, writing rejects to `spool`.
    /// `observe` sees each readable row, whatever the rules say of it: the quality step profiles the file as it
    /// came in this same pass (a unit change that trips a range rule on most rows is drift, not bad rows).
    func scan(
        _ reader: any TableReader,
        spool: RejectSpool?,
        observe: ((RowView) -> Void)? = nil
    ) throws -> (rows: Int, tally: ViolationTally, rejected: RejectedRows?) {
        var tally = ViolationTally()
        var rows = 0
        try reader.forEachRow { row in
            rows += 1
            if let flaw = Self.unreadable(row) {
                tally.add(flaw, line: row.line)
                try spool?.add(row, flaw)
                return
            }
            observe?(row)
            if let violation = check(row) {
                tally.add(violation, line: row.line)
                try spool?.add(row, violation)
            }
        }
        return (rows, tally, try spool?.finish())
    }
}
