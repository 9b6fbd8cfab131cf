/// Builds the skill or remediation a config names, from what its settings can make.
public enum SkillFactory {
    public static func skill(_ config: SkillConfig) throws -> any Skill {
        guard let settings = config.settings as? any StepSettings else {
            throw SkillFailure(
                .internal,
                "'\(config.name)' is a \(config.kind.rawValue) remediation; use it under on_failure, not as a step"
            )
        }
        return settings.makeSkill(config)
    }

    public static func remediation(_ config: SkillConfig) -> (any Remediation)? {
        (config.settings as? any RemediationSettings)?.makeRemediation(config)
    }
}
