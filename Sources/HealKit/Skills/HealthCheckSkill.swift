import Foundation

/// `health_check`: the ledger's rows for this run are in the table, and each configured query answers as expected.
public struct HealthCheckSkill: ReadsNoInput {
    public let config: SkillConfig
    let spec: HealthCheckSpec

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        guard let targetTemplate = spec.target ?? input.lastLoad?.target,
            let table = spec.table ?? input.lastLoad?.table
        else {
            return .fail(
                .internal,
                "no target to check: set target and table in skills/\(config.name).yml or put a load step before this one"
            )
        }
        let warehouse = try context.warehouse(targetTemplate)
        var problems: [String] = []
        var passed: [String] = []
        var (inTable, inLedger) = try await warehouse.verify(table: table, runID: context.runID)
        var whose = "this run"
        // A resumed run whose load the interrupted run committed before it stopped checks that run's rows.
        if inLedger == nil, let earlier = context.mode.resumedFrom {
            (inTable, inLedger) = try await warehouse.verify(table: table, runID: earlier)
            whose = "run \(earlier) (resumed)"
        }
        if let inLedger {
            if inTable == inLedger {
                passed.append("\(Noun.count(inTable, "row")) of \(whose) in \(table), as the ledger says")
            } else {
                problems.append(
                    "the ledger says \(whose) loaded \(Noun.count(inLedger, "row")) into \(table), but the table holds \(inTable)"
                )
            }
        } else if input.lastLoad != nil {
            problems.append("no ledger row for this run in \(table)")
        }
        for check in spec.checks {
            let answer: String?
            do { answer = try await warehouse.scalar(check.sql) } catch let failure as SkillFailure where failure.failureClass == .internal
            {
                problems.append("\(check.name): the query failed: \(failure.details)")
                continue
            }
            if check.expect.holds(for: answer) {
                passed.append(check.expect.isComparison ? "\(check.name) \(check.expect)" : "\(check.name) = \(check.expect)")
            } else {
                problems.append("\(check.name): expected \(check.expect), got \(answer ?? "null")")
            }
        }
        let figures = ["checks": passed.count + problems.count, "failed": problems.count]
        if !problems.isEmpty {
            return .fail(.qualityViolation, problems.joined(separator: "; "), figures: figures)
        }
        return .pass(passed.joined(separator: "; "), figures: figures)
    }
}

extension HealthCheckSpec: StepSettings {
    public func makeSkill(_ config: SkillConfig) -> any Skill { HealthCheckSkill(config: config, spec: self) }
}
