import Foundation

/// `schema_repair`: asks proposers in order (learned → heuristic → Claude) for a column mapping and accepts the
/// first one the gate passes. Every proposal is recorded; an accepted one is remembered for the next day.
public struct SchemaRepairSkill: Remediation {
    public let config: SkillConfig
    let spec: SchemaRepairSpec

    var proposers: [any Proposer] {
        spec.proposers.map { name -> any Proposer in
            switch name {
            case .learned: return LearnedProposer()
            case .heuristic: return HeuristicProposer()
            case .claude:
                return ClaudeProposer(
                    model: spec.model,
                    maxCalls: spec.maxCalls,
                    maxTokens: spec.maxTokens,
                    deadline: .seconds(spec.deadlineSeconds)
                )
            }
        }
    }

    public func remediate(_ failure: StepFailure, in context: RunContext) async throws -> SkillResult {
        guard let schema = failure.skill as? any ContractChecking else {
            return .fail(
                failure.result.failureClass ?? .internal,
                "schema_repair only repairs a validate_schema step; '\(failure.step.name)' is \(failure.skill.config.kind.rawValue)"
            )
        }
        let (request, input) = try repairRequest(for: failure, schema: schema, in: context)
        let gate = try gate(for: schema, in: context)
        var outcomes: [String] = []
        for proposer in proposers {
            let answer = await proposer.propose(request, in: context)
            switch answer {
            case .nothing(let reason, let usage):
                try record(
                    proposer.name,
                    request,
                    usage,
                    verdict: ProposalVerdict.none,
                    reason: reason,
                    mapping: nil,
                    step: failure.step.name,
                    context: context
                )
                outcomes.append("\(proposer.name): \(reason)")
            case .proposal(let repair, let usage):
                if let refused = try refusedByAPerson(repair, request, context: context) {
                    try record(
                        proposer.name,
                        request,
                        usage,
                        verdict: .rejected,
                        reason: refused,
                        mapping: repair.jsonText,
                        step: failure.step.name,
                        context: context
                    )
                    outcomes.append("\(proposer.name) proposed \(repair.summary) — rejected: \(refused)")
                    continue
                }
                let output = context.stagingURL(
                    stepIndex: failure.input.stepIndex,
                    name: "\(failure.input.stepName)-repaired-\(proposer.name)"
                )
                let verdict = try await gate.validate(
                    repair,
                    header: request.header,
                    input: input,
                    output: output,
                    stepInput: failure.input,
                    context: context
                )
                switch verdict {
                case .failure(let rejection):
                    try? FileManager.default.removeItem(at: output)
                    try record(
                        proposer.name,
                        request,
                        usage,
                        verdict: .rejected,
                        reason: rejection.reason,
                        mapping: repair.jsonText,
                        step: failure.step.name,
                        context: context
                    )
                    outcomes.append("\(proposer.name) proposed \(repair.summary) — rejected: \(rejection.reason)")
                case .success(let accepted):
                    let repaired = accepted.artifact
                    let mapping = MappingRecord(
                        fingerprint: request.fingerprint,
                        pipeline: context.pipeline,
                        skill: schema.config.name,
                        contractVersion: schema.contract.version,
                        header: request.header.joined(separator: ","),
                        mapping: StoredJSON(repair.jsonText),
                        proposer: proposer.name,
                        createdAt: Timestamp.now()
                    )
                    if let waiting = try awaitingApproval(
                        mapping,
                        repair,
                        accepted: accepted,
                        proposer: proposer.name,
                        request,
                        usage,
                        output: output,
                        failure: failure,
                        context: context
                    ) {
                        return waiting
                    }
                    try record(
                        proposer.name,
                        request,
                        usage,
                        verdict: .accepted,
                        reason: repair.rationale ?? "",
                        mapping: repair.jsonText,
                        step: failure.step.name,
                        evidence: accepted.evidence,
                        context: context
                    )
                    try context.store.remember(mapping)
                    return .pass(
                        "\(proposer.name) mapping accepted: \(repair.summary)",
                        figures: ["rows": input.rows ?? 0, "operations": repair.operations.count],
                        artifact: repaired
                    )
                }
            }
        }
        return .fail(failure.result.failureClass ?? .schemaMismatch, "no acceptable repair — \(outcomes.joined(separator: "; "))")
    }

    /// What the proposers see: the header, up to 200 sample rows, a few values per column, the failure, the
    /// profiles of the columns' accepted days; and the input with its rows counted.
    func repairRequest(
        for failure: StepFailure,
        schema: any ContractChecking,
        in context: RunContext
    ) throws -> (RepairRequest, Artifact) {
        var artifact = try failure.input.requireArtifact()
        artifact.format = try schema.contract.format(of: artifact)
        // Broken lines are counted and carried through the repair; they are no evidence of names or readings.
        let reader = try Tables.open(artifact, flaws: .deliver)
        var samples: [[String]] = []
        var rows = 0
        var values = Array(repeating: [String](), count: reader.header.count)
        var full = 0
        try reader.forEachRow { row in
            rows += 1
            guard row.flaw == nil else { return }
            if samples.count < 200 { samples.append(row.strings) }
            guard full < values.count else { return }
            for i in 0..<min(row.count, values.count) where values[i].count < RepairRequest.valuesPerColumn {
                let f = row[i].trimmed
                guard !f.isEmpty else { continue }
                values[i].append(f.string)
                if values[i].count == RepairRequest.valuesPerColumn { full += 1 }
            }
        }
        var input = artifact
        input.rows = rows
        var request = RepairRequest(
            pipeline: context.pipeline,
            skill: schema.config.name,
            contract: schema.contract,
            header: reader.header,
            failure: failure.result.details,
            samples: samples,
            columnValues: values
        )
        request.date = context.date
        request.baselines = try baselines(for: schema.contract, after: failure.input.stepIndex, in: context)
        if !request.baselines.isEmpty { request.lookups = context.lookupKeys(for: failure.input) }
        return (request, input)
    }

    /// The gate every proposal passes: the contract's own check, the playbook's quality checks, the quarantine cap.
    func gate(for schema: any ContractChecking, in context: RunContext) throws -> ProposalGate {
        let qualityChecks = try context.playbook.steps.compactMap { step -> (any Skill)? in
            guard let config = context.skillConfigs[step.skill], config.kind == QualitySpec.kind else { return nil }
            return try SkillFactory.skill(config)
        }
        return ProposalGate(
            contract: schema.contract,
            schemaCheck: schema,
            qualityChecks: qualityChecks,
            maxQuarantinePct: spec.maxQuarantinePct
        )
    }

    /// With `approval: first_use` or `always`, a mapping no person approved (for this date, with `always`) waits:
    /// it is stored as pending and the step fails with the commands to review it. Nil when it may load now.
    func awaitingApproval(
        _ mapping: MappingRecord,
        _ repair: SchemaRepair,
        accepted: ProposalGate.Accepted,
        proposer: String,
        _ request: RepairRequest,
        _ usage: ProposalUsage,
        output: URL,
        failure: StepFailure,
        context: RunContext
    ) throws -> SkillResult? {
        guard spec.approval != .auto else { return nil }
        // Approval is of these operations for this header: a different proposal asks again.
        let stored = try context.store.mapping(fingerprint: request.fingerprint)
        let same = stored.flatMap { try? SchemaRepair.parse($0.mapping).operations } == repair.operations
        let approved =
            try same
            && stored?.id.map {
                try context.store.isApproved(
                    mapping: $0,
                    date: context.date.description,
                    everyUse: spec.approval == .always
                )
            } ?? false
        if !approved {
            try? FileManager.default.removeItem(at: output)
            let pending = try context.store.pendMapping(mapping, date: context.date.description, run: context.runID)
            let why =
                spec.approval == .always
                ? "approval: always asks a person for every day a mapping loads"
                : "no person has approved this mapping yet (approval: first_use)"
            try record(
                proposer,
                request,
                usage,
                verdict: .pending,
                reason: "passed the gate; \(why)",
                mapping: repair.jsonText,
                step: failure.step.name,
                evidence: accepted.evidence,
                context: context
            )
            let command =
                "heal mappings show \(pending), then heal mappings approve \(pending) (or heal mappings reject \(pending)), then heal run \(context.pipeline) --date \(context.date)"
            var result = SkillResult.fail(
                failure.result.failureClass ?? .schemaMismatch,
                "\(proposer) mapping \(pending) passed the gate and waits for a person (\(repair.summary)); \(why): \(command)"
            )
            result.nextAction = "review the mapping: \(command); nothing was loaded"
            return result
        }
        return nil
    }

    /// Why a proposal is refused before the gate: a person rejected these very operations for this header.
    func refusedByAPerson(_ repair: SchemaRepair, _ request: RepairRequest, context: RunContext) throws -> String? {
        guard let stored = try context.store.mapping(fingerprint: request.fingerprint), stored.status == .rejected,
            (try? SchemaRepair.parse(stored.mapping).operations) == repair.operations
        else { return nil }
        return
            "a person rejected this mapping (mapping \(stored.id ?? 0)); heal mappings forget \(stored.id ?? 0) lets proposers offer it again"
    }

    /// Each contract column's history, from the first quality step after the repaired one that keeps profiles.
    func baselines(for contract: ContractSpec, after index: Int, in context: RunContext) throws -> [String: ProfileBaseline] {
        let steps = context.playbook.steps
        guard
            let step = steps.indices.dropFirst(index + 1).first(where: {
                if let q = context.skillConfigs[steps[$0].skill]?.settings(QualitySpec.self) { return q.drift.enabled }
                return false
            }), let quality = context.skillConfigs[steps[step].skill]?.settings(QualitySpec.self)
        else { return [:] }
        var out: [String: ProfileBaseline] = [:]
        for column in contract.columns where quality.drift.watches(column.name) {
            let baseline = try context.store.baseline(
                pipeline: context.pipeline,
                step: steps[step].name,
                column: column.name,
                before: context.date.description,
                days: quality.drift.history
            )
            if !baseline.days.isEmpty { out[column.name] = baseline }
        }
        return out
    }

    func record(
        _ proposer: String,
        _ request: RepairRequest,
        _ usage: ProposalUsage,
        verdict: ProposalVerdict,
        reason: String,
        mapping: String?,
        step: String,
        evidence: [String] = [],
        context: RunContext
    ) throws {
        try context.store.insertProposal(
            ProposalRecord(
                runId: context.runID,
                step: step,
                proposer: proposer,
                fingerprint: request.fingerprint,
                promptBytes: usage.promptBytes,
                inputTokens: usage.inputTokens,
                outputTokens: usage.outputTokens,
                latencyMs: usage.latencyMs,
                requestId: usage.requestID,
                verdict: verdict,
                reason: context.secrets.redact(reason),
                mapping: mapping.map { StoredJSON(context.secrets.redact($0)) },
                evidence: context.secrets.redact(Text.clipped(evidence.joined(separator: "\n"), 4000)),
                createdAt: Timestamp.now()
            )
        )
    }
}

extension SchemaRepairSpec: RemediationSettings {
    public func makeRemediation(_ config: SkillConfig) -> any Remediation { SchemaRepairSkill(config: config, spec: self) }
}
