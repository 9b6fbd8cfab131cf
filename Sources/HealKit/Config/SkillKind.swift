/// A skill config's `kind:`. Open rather than an enum: each kind's settings name their own kind, and the registry
/// lists them, so a new kind is added without editing a switch.
public struct SkillKind: RawRepresentable, Hashable, Sendable, Codable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public var description: String { rawValue }

    /// An attempt that runs a failed step's own check again on what a remediation produced (metadata.db's
    /// `attempts.kind`, beside the skill kinds).
    public static let recheck: SkillKind = "recheck"

    public init(from decoder: any Decoder) throws { rawValue = try decoder.singleValueContainer().decode(String.self) }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }

    /// Every kind heal knows, in the registry's order.
    public static var known: [SkillKind] { SkillRegistry.kinds.map { $0.kind } }
}
