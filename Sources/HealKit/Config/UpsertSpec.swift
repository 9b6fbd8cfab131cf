/// `upsert`: loads the failed load's rows again as a merge on its key. It has no settings of its own.
public struct UpsertSpec: Sendable {}

extension UpsertSpec: YAMLSettings {
    public static let kind: SkillKind = "upsert"
    public static let isRemediation = true

    static func decode(_ root: YAMLValue) throws -> UpsertSpec {
        _ = try root.map(allowed: ["kind"])
        return UpsertSpec()
    }
}
