import Foundation

/// `validate_schema`: the file parses (CSV, JSON Lines or JSON), the contract's required columns are there,
/// values parse as declared. It settles the file's format, which every later step reads with.
public struct ValidateSchemaSkill: ContractChecking {
    public let config: SkillConfig
    public let contract: ContractSpec

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        var artifact = try input.requireArtifact()
        let shown = context.home.display(artifact.url)
        do {
            artifact.format = try contract.format(of: artifact)
            let reader = try context.open(artifact, flaws: .deliver)
            // A contract column found under one of its aliases is read by its own name from here on.
            let (header, aliased) = contract.readingAliases(reader.header)
            if !aliased.isEmpty { artifact.header = header }
            let shape = artifact.format!.summary + (aliased.isEmpty ? "" : "; read by alias: \(aliased.joined(separator: ", "))")
            if let mismatch = headerProblem(header) {
                return .fail(.schemaMismatch, "\(shown) (\(shape)): \(mismatch)", figures: ["columns": header.count])
            }
            let checker = contractChecker(header)
            let spool = rejectSpool(for: artifact, header: header, input: input, in: context)
            let (rows, tally, rejected) = try checker.scan(reader, spool: spool)
            var figures = ["rows": rows, "columns": header.count, "failing_rows": tally.total]
            let notes = reader.notes.summary
            if rows < contract.minRows {
                return .fail(
                    .volumeAnomaly,
                    "\(shown) (\(shape)): \(rows) data rows\(notes), fewer than min_rows \(contract.minRows); the export looks empty or cut (set min_rows: 0 in skills/\(config.name).yml if an empty day is normal)",
                    figures: figures,
                    rows: RowDelta(read: rows)
                )
            }
            let drift = checker.formatDrift()
            if !drift.isEmpty {
                figures["drifted_columns"] = drift.count
                return .fail(
                    .schemaMismatch,
                    "\(shown) (\(shape)): format drift — \(drift.map(\.detail).joined(separator: "; "))\(notes)",
                    figures: figures,
                    rows: RowDelta(read: rows)
                )
            }
            if tally.total > 0 {
                return rowsFailed(
                    .parseError,
                    "\(shown): \(tally.summary(rows: rows))\(notes)",
                    figures: figures,
                    rows: rows,
                    failing: tally.total,
                    rejected: rejected,
                    checked: artifact
                )
            }
            artifact.rows = rows
            artifact.columns = typedColumns(header)
            figures.merge(reader.notes.figures) { a, _ in a }
            return .pass(
                "\(Noun.count(rows, "row")), \(Noun.count(header.count, "column")) match the contract (\(shape))\(notes)",
                figures: figures,
                artifact: artifact,
                rows: RowDelta(read: rows)
            )
        } catch let error as TableError {
            return .fail(.parseError, "\(shown):\(error.line): \(error.problem)")
        }
    }

    public func recheck(_ view: Artifact, after failure: SkillResult, input: StepInput, in context: RunContext) throws -> SkillResult {
        var artifact = view
        let header = failure.rejected?.header ?? []
        artifact.format = try contract.format(of: view)
        artifact.columns = typedColumns(header)
        // The names the first pass read the file under (aliases included) stay the names of the view.
        if !header.isEmpty { artifact.header = header }
        let rows = view.rows ?? 0
        let left = failure.rejected?.rows.count ?? 0
        return .pass(
            "\(Noun.count(rows, "row")), \(Noun.count(header.count, "column")) match the contract (judged in the first pass; the \(left) failing rows are left out)",
            figures: ["rows": rows, "columns": header.count, "failing_rows": 0],
            artifact: artifact,
            rows: RowDelta(read: rows)
        )
    }

    /// The contract's column specs in the file's order; extra columns are optional strings from the file.
    public func typedColumns(_ header: [String]) -> [ColumnSpec] {
        header.map { name in
            if var column = contract.columns.first(where: { $0.name == name }) {
                column.origin = .contract(skill: config.name)
                return column
            }
            var extra = ColumnSpec(name: name, type: .string, required: false)
            extra.origin = .file
            return extra
        }
    }

    func headerProblem(_ header: [String]) -> String? {
        var seen: Set<String> = []
        for name in header where !seen.insert(name).inserted {
            return "column \(Text.quoted(name)) appears twice in the header"
        }
        let missing = contract.columns.filter { $0.required && !seen.contains($0.name) }
        if !missing.isEmpty {
            let unknown = header.filter { h in !contract.columns.contains { $0.name == h } }
            // The hint names a file column only when its name means the column (`cust_id` for customer_id).
            let hints = missing.map { column in
                unknown.map { ($0, ColumnNames.similarity($0, column)) }.filter { $0.1 >= HeuristicProposer.threshold }.max { $0.1 < $1.1 }
                    .map { "\(column.name) (found \(Text.quoted($0.0)))" } ?? column.name
            }
            return
                "missing required column\(missing.count > 1 ? "s" : ""): \(hints.joined(separator: ", ")); the header is: \(Text.names(header))"
        }
        if !contract.allowExtraColumns {
            let extra = header.filter { h in !contract.columns.contains { $0.name == h } }
            if !extra.isEmpty {
                return "unexpected column\(extra.count > 1 ? "s" : ""): \(Text.names(extra)) (allow_extra_columns is false)"
            }
        }
        return nil
    }

    public func makeRowChecker(for artifact: Artifact, header: [String], in context: RunContext) throws -> RowChecker {
        contractChecker(header)
    }

    /// The contract's checks for a file with this header; it also tallies what format drift needs.
    func contractChecker(_ header: [String]) -> ContractRowChecker {
        let indexed = contract.columns.compactMap { column in header.firstIndex(of: column.name).map { ($0, column) } }
        return ContractRowChecker(width: header.count, columns: indexed)
    }
}

final class ContractRowChecker: RowChecker {
    let width: Int
    /// Each contract column present in the file: its position and its compiled check.
    let columns: [(index: Int, check: ValueCheck)]
    /// Rows of the header's width, and per contract column its empty values and the values that failed the type
    /// (the first `keep` of them): counted only off the common path, so a clean file pays nothing per value.
    private var checkedRows = 0
    private var empty: [Int]
    private var failed: [Int]
    private(set) var failedValues: [[String]]
    /// Failing values kept per column to find the reading they share: bounded work and memory whatever the file.
    static let keep = 20_000

    init(width: Int, columns: [(Int, ColumnSpec)]) {
        self.width = width
        self.columns = columns.map { ($0.0, ValueCheck($0.1)) }
        empty = Array(repeating: 0, count: columns.count)
        failed = empty
        failedValues = Array(repeating: [], count: columns.count)
    }

    func check(_ row: RowView) -> Violation? {
        if row.count != width {
            return Violation(
                failureClass: .parseError,
                rule: "ragged_row",
                column: "",
                value: "\(row.count) fields",
                reason: "the row has \(row.count) fields, the header has \(width)"
            )
        }
        checkedRows += 1
        var first: Violation?
        for (n, (index, check)) in columns.enumerated() {
            let value = row[index].trimmed
            if value.isEmpty {
                empty[n] += 1
                if !check.column.nullable && first == nil {
                    let column = check.column
                    first = Violation(
                        failureClass: .parseError,
                        rule: "not_nullable",
                        column: column.name,
                        value: "",
                        reason: "\(column.name) is empty but the contract says it is not nullable"
                    )
                }
                continue
            }
            if !check.accepts(value) {
                // Every column of a failing row is tallied, so drift in two columns at once is seen in both.
                failed[n] += 1
                let text = value.string
                if failedValues[n].count < Self.keep { failedValues[n].append(text) }
                if first == nil {
                    let column = check.column
                    first = Violation(
                        failureClass: .parseError,
                        rule: "type",
                        column: column.name,
                        value: text,
                        reason: "\(column.name) \(Text.quoted(text)) is not \(column.expectation)"
                    )
                }
            }
        }
        if let summary = SummaryRow.violation(row) { return summary }
        return first
    }

    /// Columns whose values mostly moved to another reading: format drift, a schema change for `schema_repair`,
    /// not rows for quarantine (see `ReadingInference.isDrift`).
    func formatDrift() -> [FormatDrift] {
        var out: [FormatDrift] = []
        for (n, (_, check)) in columns.enumerated() where ReadingInference.isDrift(failing: failed[n], values: checkedRows - empty[n]) {
            let inference = ReadingInference.infer(failedValues[n], for: check.column)
            switch inference {
            case .none: continue
            case .reading, .ambiguous:
                var drift = FormatDrift(
                    column: check.column,
                    failing: failed[n],
                    values: checkedRows - empty[n],
                    checked: failedValues[n].count,
                    inference: inference
                )
                if case .reading(let reading, _) = inference,
                    let (value, read) = failedValues[n].lazy.compactMap({ v in reading.convert(v, to: check.column).map { (v, $0) } }).first
                {
                    drift.example = "\(Text.quoted(value)) → \(read)"
                }
                out.append(drift)
            }
        }
        return out
    }
}

/// One column whose failing values share another reading (or two readings that disagree).
public struct FormatDrift: Sendable, Equatable {
    public var column: ColumnSpec
    public var failing: Int
    public var values: Int
    public var checked: Int
    public var inference: ReadingInference
    /// One value and what the reading makes of it: `'22.11.2026' → 2026-11-22`.
    public var example: String?

    /// "date: 2,941 of 3,000 values are not a date (yyyy-MM-dd); they read as dd.MM.yyyy".
    public var detail: String {
        let counts = "\(Text.count(failing)) of \(Text.count(values)) values are not \(column.expectation)"
        let sample = checked < failing ? " (judged on the first \(Text.count(checked)))" : ""
        switch inference {
        case .reading(let reading, let reads):
            return
                "\(column.name): \(counts); \(reads == checked ? "they" : "\(Text.count(reads)) of them") read as \(reading)\(sample)\(example.map { " (e.g. \($0))" } ?? "")"
        case .ambiguous(let why):
            return
                "\(column.name): \(counts), and their reading is ambiguous: \(why)\(sample); not guessing — fix the export or declare the format in the contract"
        case .none:
            return "\(column.name): \(counts)"
        }
    }
}

extension ContractSpec: StepSettings {
    public func makeSkill(_ config: SkillConfig) -> any Skill { ValidateSchemaSkill(config: config, contract: self) }
}
