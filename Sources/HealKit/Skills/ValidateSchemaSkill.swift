import Foundation

/// `validate_schema`: the file parses (CSV, JSON Lines or JSON), the contract's required columns are there,
/// values parse as declared. It settles the file's format, which every later step reads with.
public struct ValidateSchemaSkill: RowChecking {
    public let config: SkillConfig
    public let contract: ContractSpec

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        var artifact = try input.requireArtifact()
        let shown = context.home.display(artifact.url)
        do {
            artifact.format = try contract.format(of: artifact)
            let reader = try context.open(artifact, flaws: .deliver)
            let header = reader.header
            let shape = artifact.format!.summary
            if let mismatch = headerProblem(header) {
                return .fail(.schemaMismatch, "\(shown) (\(shape)): \(mismatch)", figures: ["columns": header.count])
            }
            let checker = try makeRowChecker(for: artifact, header: header, in: context)
            let spool = RejectSpool(url: context.freshStagingURL(stepIndex: input.stepIndex, name: "\(input.stepName)-rejects"), header: header, input: artifact.url,
                                     limit: artifact.format?.limits.maxRejects ?? InputLimits().maxRejects)
            let (rows, tally, rejected) = try checker.scan(reader, spool: spool)
            let figures = ["rows": rows, "columns": header.count, "failing_rows": tally.total]
            if tally.total > 0 {
                var result = SkillResult.fail(.parseError, "\(shown): \(tally.summary(rows: rows))", figures: figures, rows: RowDelta(read: rows))
                result.rejected = rejected
                result.checkedSHA256 = artifact.sha256
                return result
            }
            artifact.rows = rows
            artifact.columns = typedColumns(header)
            return .pass("\(rows) rows, \(header.count) columns match the contract (\(shape))", figures: figures, artifact: artifact, rows: RowDelta(read: rows))
        } catch let error as TableError {
            return .fail(.parseError, "\(shown):\(error.line): \(error.problem)")
        }
    }

    public func recheck(_ view: Artifact, after failure: SkillResult, input: StepInput, in context: RunContext) throws -> SkillResult {
        var artifact = view
        let header = failure.rejected?.header ?? []
        artifact.format = try contract.format(of: view)
        artifact.columns = typedColumns(header)
        let rows = view.rows ?? 0
        let left = failure.rejected?.rows.count ?? 0
        return .pass("\(rows) rows, \(header.count) columns match the contract (judged in the first pass; the \(left) failing rows are left out)",
                     figures: ["rows": rows, "columns": header.count, "failing_rows": 0], artifact: artifact, rows: RowDelta(read: rows))
    }

    /// The contract's column specs in the file's order; extra columns are optional strings.
    func typedColumns(_ header: [String]) -> [ColumnSpec] {
        header.map { name in contract.columns.first { $0.name == name } ?? ColumnSpec(name: name, type: .string, required: false) }
    }

    func headerProblem(_ header: [String]) -> String? {
        var seen: Set<String> = []
        for name in header where !seen.insert(name).inserted {
            return "column \(Text.quoted(name)) appears twice in the header"
        }
        let missing = contract.columns.filter { $0.required && !seen.contains($0.name) }
        if !missing.isEmpty {
            let hints = missing.map { column in
                NearMiss.suggestion(for: column.name, among: header.filter { h in !contract.columns.contains { $0.name == h } })
                    .map { "\(column.name) (found '\($0)')" } ?? column.name
            }
            return "missing required column\(missing.count > 1 ? "s" : ""): \(hints.joined(separator: ", ")); the header is: \(Text.names(header))"
        }
        if !contract.allowExtraColumns {
            let extra = header.filter { h in !contract.columns.contains { $0.name == h } }
            if !extra.isEmpty { return "unexpected column\(extra.count > 1 ? "s" : ""): \(Text.names(extra)) (allow_extra_columns is false)" }
        }
        return nil
    }

    public func makeRowChecker(for artifact: Artifact, header: [String], in context: RunContext) throws -> RowChecker {
        let indexed = contract.columns.compactMap { column in header.firstIndex(of: column.name).map { ($0, column) } }
        return ContractRowChecker(width: header.count, columns: indexed)
    }
}

final class ContractRowChecker: RowChecker {
    let width: Int
    /// Each contract column present in the file: its position and its compiled check.
    let columns: [(index: Int, check: ValueCheck)]

    init(width: Int, columns: [(Int, ColumnSpec)]) {
        self.width = width
        self.columns = columns.map { ($0.0, ValueCheck($0.1)) }
    }

    func check(_ row: RowView) -> Violation? {
        if row.count != width {
            return Violation(failureClass: .parseError, rule: "ragged_row", column: "", value: "\(row.count) fields",
                             reason: "the row has \(row.count) fields, the header has \(width)")
        }
        for (index, check) in columns {
            let value = row[index].trimmed
            if value.isEmpty {
                if !check.column.nullable {
                    let column = check.column
                    return Violation(failureClass: .parseError, rule: "not_nullable", column: column.name, value: "",
                                     reason: "\(column.name) is empty but the contract says it is not nullable")
                }
                continue
            }
            if !check.accepts(value) {
                let column = check.column
                let text = value.string
                return Violation(failureClass: .parseError, rule: "type", column: column.name, value: text,
                                 reason: "\(column.name) \(Text.quoted(text)) is not \(column.expectation)")
            }
        }
        return nil
    }
}
