import Foundation

public struct SchemaRepairSpec: Sendable {
    public enum ProposerName: String, Sendable, CaseIterable { case learned, heuristic, claude }
    public var proposers: [ProposerName] = [.learned, .heuristic, .claude]
    /// A repair may leave at most this share of rows failing (they then go to quarantine); beyond, it is rejected.
    public var maxQuarantinePct: Double = 5
    public var model: String?
    public var maxCalls = 2
    public var maxTokens = 20_000
    public var deadlineSeconds = 60
    /// Whether a person approves a mapping before it loads data.
    public var approval = Approval.auto

    public enum Approval: String, Sendable, CaseIterable {
        /// Every mapping the gate passes is used at once.
        case auto
        /// A mapping no person has approved stops the run and waits for `heal mappings approve ID`.
        case firstUse = "first_use"
        /// Every use of a mapping, learned or new, waits for a person's approval of that date.
        case always
    }
}

extension SchemaRepairSpec: YAMLSettings {
    public static let kind: SkillKind = "schema_repair"
    public static let isRemediation = true

    static func decode(_ root: YAMLValue) throws -> SchemaRepairSpec {
        let map = try root.map(allowed: [
            "kind", "proposers", "max_quarantine_pct", "model", "max_calls", "max_tokens", "deadline_seconds", "approval",
        ])
        var spec = SchemaRepairSpec()
        if let v = map["approval"] { spec.approval = try v.oneOf(SchemaRepairSpec.Approval.self) }
        if let v = map["proposers"] { spec.proposers = try v.list().map { try $0.oneOf(SchemaRepairSpec.ProposerName.self) } }
        if let v = map["max_quarantine_pct"] { spec.maxQuarantinePct = try v.double("a percentage") }
        if let v = map["model"] { spec.model = try v.string("a model name") }
        if let v = map["max_calls"] { spec.maxCalls = try v.int("a number of calls", range: 0...20) }
        if let v = map["max_tokens"] { spec.maxTokens = try v.int("a number of tokens", range: 0...1_000_000) }
        if let v = map["deadline_seconds"] { spec.deadlineSeconds = try v.int("seconds", range: 1...600) }
        return spec
    }
}
