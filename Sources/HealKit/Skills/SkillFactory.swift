/// Builds the skill or remediation a config names.
public enum SkillFactory {
    public static func skill(_ config: SkillConfig) throws -> any Skill {
        switch config.spec {
        case .fetch(let spec): return FetchSkill(config: config, spec: spec)
        case .validateSchema(let spec): return ValidateSchemaSkill(config: config, contract: spec)
        case .validateQuality(let spec): return ValidateQualitySkill(config: config, spec: spec)
        case .transform(let spec): return TransformSkill(config: config, spec: spec)
        case .load(let spec): return LoadSkill(config: config, spec: spec)
        case .healthCheck(let spec): return HealthCheckSkill(config: config, spec: spec)
        case .command(let spec): return CommandSkill(config: config, spec: spec)
        case .quarantineFilter, .fallbackSource, .schemaRepair, .upsert:
            throw SkillFailure(
                .internal,
                "'\(config.name)' is a \(config.kind.rawValue) remediation; use it under on_failure, not as a step"
            )
        }
    }

    public static func remediation(_ config: SkillConfig) -> (any Remediation)? {
        switch config.spec {
        case .quarantineFilter(let spec): return QuarantineFilter(config: config, spec: spec)
        case .fallbackSource(let spec): return FallbackSource(config: config, spec: spec)
        case .schemaRepair(let spec): return SchemaRepairSkill(config: config, spec: spec)
        case .upsert: return Upsert(config: config)
        default: return nil
        }
    }
}
