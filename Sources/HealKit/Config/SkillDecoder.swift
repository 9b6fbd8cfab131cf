/// Reads `skills/NAME.yml` strictly: `kind:` picks the settings, and they decode the keys they allow.
enum SkillDecoder {
    static func decode(_ root: YAMLValue, name: String) throws -> SkillConfig {
        guard case .mapping = root.node else { throw root.error("expected a mapping of settings, found \(root.typeName)") }
        let loose = try root.map(allowed: [])
        let names = SkillKind.known.map(\.rawValue)
        let kindValue = try loose.required("kind", "one of \(names.joined(separator: ", "))")
        let kindText = try kindValue.string("a skill kind")
        guard let settings = SkillRegistry.settings(for: kindText) else {
            throw kindValue.error(
                "unknown skill kind '\(kindText)'; expected one of \(names.joined(separator: ", "))\(NearMiss.hint(for: kindText, among: names))"
            )
        }
        return SkillConfig(name: name, file: root.file, settings: try settings.decode(root))
    }
}
