import Foundation

/// One atomic unit of work with one goal and one pass/fail criterion.
public protocol Skill: Sendable {
    var config: SkillConfig { get }
    func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult
    /// The step's check, run again on a remediated artifact (level 2 of the ladder).
    func recheck(_ input: StepInput, in context: RunContext) async throws -> SkillResult
}

extension Skill {
    public func recheck(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        try await run(input, in: context)
    }
}

/// A rule violated by one row.
public struct Violation: Sendable, Equatable {
    public var failureClass: FailureClass
    public var rule: String
    public var column: String
    public var value: String
    public var reason: String
}

/// Checks rows one by one; quarantine asks the same checker the failed step used, so both agree on every row.
public protocol RowChecker: AnyObject {
    func check(_ row: RowView) -> Violation?
}

/// A check that can judge single rows, so failing rows can be moved aside instead of failing the file.
public protocol RowChecking: Skill {
    func makeRowChecker(for artifact: Artifact, header: [String], in context: RunContext) throws -> RowChecker
    /// The re-check of `view`, which is this check's input without exactly the rows it rejected, answered from
    /// the first pass: every row left passed the row rules, and leaving rows out cannot create a duplicate key.
    func recheck(_ view: Artifact, after failure: SkillResult, input: StepInput, in context: RunContext) throws -> SkillResult
}

extension RowChecking {
    /// True when `view` is `checked` minus exactly the rows `failure` rejected, so the verdict carries over.
    public static func isOwnQuarantine(_ view: Artifact, of checked: Artifact, after failure: SkillResult) -> Bool {
        guard let rejected = failure.rejected, rejected.input == checked.url, view.url == checked.url,
            let excluded = view.excluded, checked.sha256 == failure.checkedSHA256
        else { return false }
        return excluded == (checked.excluded ?? RowSet()).union(rejected.rows)
    }
}

/// A failed step as a remediation sees it.
public struct StepFailure: Sendable {
    public var step: Step
    public var skill: any Skill
    public var input: StepInput
    public var result: SkillResult
}

/// Level 2 of the ladder: repairs a failed step's input into a new artifact.
public protocol Remediation: Sendable {
    var config: SkillConfig { get }
    func remediate(_ failure: StepFailure, in context: RunContext) async throws -> SkillResult
}

/// Settings of a kind that runs as a step: they build the skill.
public protocol StepSettings: SkillSettings {
    func makeSkill(_ config: SkillConfig) -> any Skill
}

/// Settings of a remediation kind: they build the remediation.
public protocol RemediationSettings: SkillSettings {
    func makeRemediation(_ config: SkillConfig) -> any Remediation
}
