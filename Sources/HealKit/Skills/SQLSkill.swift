import Foundation

/// `sql`: asks the warehouse one question and passes when the answer is the expected one. The query runs read-only
/// (a SQLite read transaction; a PostgreSQL subquery), and outside values reach it only as bound parameters.
public struct SQLSkill: ReadsNoInput {
    public let config: SkillConfig
    let spec: SQLSpec

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        guard let target = spec.target ?? input.lastLoad?.target else {
            return .fail(
                .configuration,
                "no warehouse to ask: set target in skills/\(config.name).yml or put a load step before this one"
            )
        }
        let warehouse = try context.warehouse(target)
        let params = try spec.params.map { try context.render($0, for: input) }
        let answer: String?
        do { answer = try await warehouse.scalar(spec.query, binding: params) } catch let failure as SkillFailure
            where failure.failureClass == .internal
        {
            return .fail(.configuration, "the query failed: \(failure.details); check query: in skills/\(config.name).yml")
        }
        let shown = answer.map { Double($0) != nil ? $0 : Text.quoted($0, limit: 80) } ?? "null"
        if spec.expect.holds(for: answer) {
            return .pass("the query answered \(shown), as expected (\(spec.expect))")
        }
        return .fail(spec.failureClass, "the query answered \(shown); expected \(spec.expect)")
    }
}

extension SQLSpec: StepSettings {
    public func makeSkill(_ config: SkillConfig) -> any Skill { SQLSkill(config: config, spec: self) }
}
