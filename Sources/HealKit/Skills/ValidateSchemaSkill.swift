import Foundation

/// `validate_schema`: the file parses as CSV, the contract's required columns are there, values parse as declared.
public struct ValidateSchemaSkill: RowChecking {
    public let config: SkillConfig
    public let contract: ContractSpec

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        let artifact = try input.requireArtifact()
        let shown = context.home.display(artifact.url)
        do {
            let reader = try CSVReader(url: artifact.url, maxFieldBytes: contract.maxFieldBytes)
            let header = reader.header
            if let mismatch = headerProblem(header) {
                return .fail(.schemaMismatch, "\(shown): \(mismatch)", figures: ["columns": header.count])
            }
            let checker = try makeRowChecker(for: artifact, header: header, in: context)
            let (rows, tally) = try checker.scan(reader)
            let figures = ["rows": rows, "columns": header.count, "failing_rows": tally.total]
            if tally.total > 0 {
                return .fail(.parseError, "\(shown): \(tally.summary(rows: rows))", figures: figures, rows: RowDelta(read: rows))
            }
            var typed = artifact
            typed.rows = rows
            typed.columns = header.map { name in contract.columns.first { $0.name == name } ?? ColumnSpec(name: name, type: .string, required: false) }
            return .pass("\(rows) rows, \(header.count) columns match the contract", figures: figures, artifact: typed, rows: RowDelta(read: rows))
        } catch let error as CSVError {
            return .fail(.parseError, "\(shown):\(error.line): \(error.problem)")
        }
    }

    func headerProblem(_ header: [String]) -> String? {
        var seen: Set<String> = []
        for name in header where !seen.insert(name).inserted {
            return "column '\(name)' appears twice in the header"
        }
        let missing = contract.columns.filter { $0.required && !seen.contains($0.name) }
        if !missing.isEmpty {
            let hints = missing.map { column in
                NearMiss.suggestion(for: column.name, among: header.filter { h in !contract.columns.contains { $0.name == h } })
                    .map { "\(column.name) (found '\($0)')" } ?? column.name
            }
            return "missing required column\(missing.count > 1 ? "s" : ""): \(hints.joined(separator: ", ")); the header is: \(header.joined(separator: ", "))"
        }
        if !contract.allowExtraColumns {
            let extra = header.filter { h in !contract.columns.contains { $0.name == h } }
            if !extra.isEmpty { return "unexpected column\(extra.count > 1 ? "s" : ""): \(extra.joined(separator: ", ")) (allow_extra_columns is false)" }
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
    let columns: [(Int, ColumnSpec)]

    init(width: Int, columns: [(Int, ColumnSpec)]) {
        self.width = width
        self.columns = columns
    }

    func check(_ record: CSVRecord) -> Violation? {
        if record.fields.count != width {
            return Violation(failureClass: .parseError, rule: "ragged_row", column: "", value: "\(record.fields.count) fields",
                             reason: "the row has \(record.fields.count) fields, the header has \(width)")
        }
        for (index, column) in columns {
            let value = Text.trim(record.fields[index])
            if value.isEmpty {
                if !column.nullable {
                    return Violation(failureClass: .parseError, rule: "not_nullable", column: column.name, value: "",
                                     reason: "\(column.name) is empty but the contract says it is not nullable")
                }
                continue
            }
            if !ValueParser.accepts(value, as: column) {
                let expected = column.type == .date ? "a date (\(column.formats.map(\.pattern).joined(separator: " or ")))" : "\(column.type == .integer ? "an" : "a") \(column.type.rawValue)"
                return Violation(failureClass: .parseError, rule: "type", column: column.name, value: value,
                                 reason: "\(column.name) \(Text.quoted(value)) is not \(expected)")
            }
        }
        return nil
    }
}
