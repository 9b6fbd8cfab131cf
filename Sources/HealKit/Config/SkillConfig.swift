/// `skills/NAME.yml`: one configured instance of a skill kind.
public struct SkillConfig: Sendable {
    public var name: String
    public var file: String
    public var settings: any SkillSettings

    public init(name: String, file: String, settings: any SkillSettings) {
        self.name = name
        self.file = file
        self.settings = settings
    }

    public var kind: SkillKind { type(of: settings).kind }
    public var isRemediation: Bool { type(of: settings).isRemediation }

    /// The settings as one kind's, or nil for a skill of another kind.
    public func settings<Settings: SkillSettings>(_ type: Settings.Type) -> Settings? { settings as? Settings }

    /// Steps whose staged files this skill names with `{artifact.STEP}`.
    public var artifactSteps: [String] { settings.artifactSteps }
}
