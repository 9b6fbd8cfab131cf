/// One skill kind's settings, as `skills/NAME.yml` gives them. Each kind says what it is and what it reaches, so
/// checks, the secrets scan and `heal check --connect` ask the settings instead of switching over kinds.
public protocol SkillSettings: Sendable {
    /// The `kind:` that selects these settings.
    static var kind: SkillKind { get }
    /// Whether the kind repairs a failed step's input (level 2 of the ladder) instead of running as a step.
    static var isRemediation: Bool { get }
    /// Steps whose staged files the settings name with `{artifact.STEP}`.
    var artifactSteps: [String] { get }
    /// Templates whose rendered text leaves the machine (or names where it goes): the `{env.X}` they read are secrets.
    var sentTemplates: [Template] { get }
    /// What `heal check --connect` tries for a skill of this kind.
    var endpoints: [SkillEndpoint] { get }
}

extension SkillSettings {
    public static var isRemediation: Bool { false }
    public var artifactSteps: [String] { [] }
    public var sentTemplates: [Template] { [] }
    public var endpoints: [SkillEndpoint] { [] }
}

/// Settings read from YAML: each kind decodes its own keys, strictly, next to its definition.
protocol YAMLSettings: SkillSettings {
    /// `root` is the whole mapping of `skills/NAME.yml`, `kind` included.
    static func decode(_ root: YAMLValue) throws -> Self
}

/// Something outside heal a skill depends on, which `heal check --connect` can try without running anything.
public enum SkillEndpoint: Sendable {
    /// A day's source: a path, http(s):// (or an API) or s3://.
    case source(FetchSpec)
    /// A file a join reads.
    case lookup(Template)
    /// A warehouse target.
    case warehouse(Template)
}
