/// A skill config's `kind:`. Open rather than an enum: each kind's settings name their own kind, and the registry
/// lists them, so a new kind is added without editing a switch.
public struct SkillKind: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { rawValue = value }

    public var description: String { rawValue }

    /// Every kind heal knows, in the registry's order.
    public static var known: [SkillKind] { SkillRegistry.kinds.map { $0.kind } }
}
