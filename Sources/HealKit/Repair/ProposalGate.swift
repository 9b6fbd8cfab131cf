import Foundation

/// Accepts a proposal only if it is well-formed against the contract and, applied to the whole file,
/// the very same checks pass with row accounting intact. A repair never edits the contract.
struct ProposalGate {
    let contract: ContractSpec
    let schemaCheck: any Skill
    let qualityChecks: [any Skill]
    let maxQuarantinePct: Double

    /// Structural checks before touching the data.
    func checkShape(_ repair: SchemaRepair, header: [String]) throws(RepairRejection) {
        guard !repair.operations.isEmpty else { throw RepairRejection("the proposal has no operations") }
        let contractNames = Set(contract.columns.map(\.name))
        var sources: Set<String> = []
        var targets: Set<String> = []
        for operation in repair.operations {
            switch operation {
            case .rename(let from, let to):
                guard header.contains(from) else { throw RepairRejection("rename from '\(from)': no such column in the file") }
                guard contractNames.contains(to) else { throw RepairRejection("rename to '\(to)': not a contract column") }
                guard sources.insert(from).inserted else { throw RepairRejection("'\(from)' is mapped twice") }
                guard targets.insert(to).inserted else { throw RepairRejection("two columns are mapped to '\(to)'") }
                if header.contains(to)
                    && !repair.operations.contains(where: { if case .rename(let f, _) = $0 { return f == to } else { return false } })
                {
                    throw RepairRejection("'\(to)' is already a column of the file")
                }
            case .drop(let column):
                guard header.contains(column) else { throw RepairRejection("drop '\(column)': no such column in the file") }
                guard !contractNames.contains(column) else { throw RepairRejection("drop '\(column)': it is a contract column") }
                guard sources.insert(column).inserted else { throw RepairRejection("'\(column)' is mapped twice") }
            case .defaultValue(let column, let value):
                guard let spec = contract.columns.first(where: { $0.name == column }) else {
                    throw RepairRejection("default for '\(column)': not a contract column")
                }
                guard value.isEmpty || ValueParser.accepts(value, as: spec) else {
                    throw RepairRejection("default '\(value)' is not a valid \(spec.type.rawValue) for \(column)")
                }
            case .cast(let column, let type, let format):
                guard let spec = contract.columns.first(where: { $0.name == column }) else {
                    throw RepairRejection("cast '\(column)': not a contract column")
                }
                guard spec.type == type else {
                    throw RepairRejection("cast '\(column)' to \(type.rawValue): the contract declares \(spec.type.rawValue)")
                }
                guard CastReading(type: type, format: format) != nil else {
                    throw RepairRejection(
                        "cast '\(column)' to \(type.rawValue): '\(Text.clipped(format, 60))' is not a reading heal knows (\(CastReading.vocabulary(for: type)))"
                    )
                }
            }
        }
    }

    /// A repaired file that passed, and what the profiles said of it.
    struct Accepted {
        var artifact: Artifact
        var evidence: [String]
    }

    /// Applies to the whole file and runs the checks, the drift watch among them (judged on any history, as a
    /// proposal: a type-correct swap passes the rules, not the profiles); the repaired artifact or why not.
    func validate(
        _ repair: SchemaRepair,
        header: [String],
        input: Artifact,
        output: URL,
        stepInput: StepInput,
        context: RunContext
    ) async throws -> Result<Accepted, RepairRejection> {
        let context = context.judgingAProposal()
        do { try checkShape(repair, header: header) } catch { return .failure(error) }
        let repaired = try RepairApplier.apply(repair, contract: contract, input: input, output: output)
        guard repaired.rows == input.rows || input.rows == nil else {
            return .failure(
                RepairRejection("row accounting: \(Noun.count(repaired.rows ?? 0, "row")) after the repair, \(input.rows ?? 0) before")
            )
        }
        var next = stepInput
        next.artifact = repaired
        let schema = try await schemaCheck.recheck(next, in: context)
        if let rejection = verdict(schema, check: "validate_schema") { return .failure(rejection) }
        var typed = schema.artifact ?? repaired
        if typed.columns == nil { typed.columns = contract.columns }
        var evidence: [String] = []
        for quality in qualityChecks {
            var qualityInput = next
            qualityInput.artifact = typed
            let result = try await quality.run(qualityInput, in: context)
            if let rejection = verdict(result, check: quality.config.name) { return .failure(rejection) }
            evidence += result.evidence
        }
        if qualityChecks.isEmpty { evidence.append("no validate_quality step keeps profiles: judged on the checks alone") }
        return .success(Accepted(artifact: repaired, evidence: evidence))
    }

    /// A pass, or row-level failures under the threshold, is acceptable; anything else rejects.
    func verdict(_ result: SkillResult, check: String) -> RepairRejection? {
        if result.outcome == .pass { return nil }
        if result.failureClass == .drift { return RepairRejection("the profiles refuse it: \(result.details.prefix(600))") }
        let rows = result.rows.read ?? 0
        let failing = result.failingRows
        if failing > 0, rows > 0, Double(failing) / Double(rows) * 100 <= maxQuarantinePct,
            result.failureClass == .parseError || result.failureClass == .qualityViolation
        {
            return nil
        }
        return RepairRejection(
            "\(check) still fails on the repaired file: \(result.failureClass?.rawValue ?? "fail"): \(result.details.prefix(300))"
        )
    }
}
