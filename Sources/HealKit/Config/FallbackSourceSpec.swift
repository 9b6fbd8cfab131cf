/// `fallback_source`: another place for the day's file (a mirror, an older export), fetched when the first fails.
public struct FallbackSourceSpec: Sendable {
    public var fetch: FetchSpec
}

extension FallbackSourceSpec: YAMLSettings {
    public static let kind: SkillKind = "fallback_source"
    public static let isRemediation = true

    static func decode(_ root: YAMLValue) throws -> FallbackSourceSpec { FallbackSourceSpec(fetch: try FetchSpec.decode(root)) }

    public var sentTemplates: [Template] { fetch.sentTemplates }
    public var endpoints: [SkillEndpoint] { fetch.endpoints }
}
