/// Every skill kind heal knows, one line each. A kind's settings decode themselves (`Config/…Spec.swift`) and its
/// skill or remediation is built from them (`Skills/`), so adding a kind touches its two files and this list.
enum SkillRegistry {
    static let kinds: [any YAMLSettings.Type] = [
        FetchSpec.self,
        ContractSpec.self,
        QualitySpec.self,
        TransformSpec.self,
        LoadSpec.self,
        HealthCheckSpec.self,
        SQLSpec.self,
        CommandSpec.self,
        QuarantineSpec.self,
        FallbackSourceSpec.self,
        SchemaRepairSpec.self,
        UpsertSpec.self,
    ]

    /// "quarantine_filter, fallback_source, schema_repair or upsert", for messages.
    static var remediationNames: String {
        let names = kinds.compactMap { type in type.isRemediation ? type.kind.rawValue : nil }
        return names.dropLast().joined(separator: ", ") + (names.count > 1 ? " or " : "") + (names.last ?? "")
    }

    static func settings(for kind: String) -> (any YAMLSettings.Type)? {
        kinds.first { $0.kind.rawValue == kind }
    }
}
