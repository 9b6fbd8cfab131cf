import Foundation

public struct QuarantineSpec: Sendable {
    /// Refuse to quarantine more than this share of rows: past it the file is bad, not a few rows.
    public var maxPct: Double = 10
}

extension QuarantineSpec: YAMLSettings {
    public static let kind: SkillKind = "quarantine_filter"
    public static let isRemediation = true

    static func decode(_ root: YAMLValue) throws -> QuarantineSpec {
        let map = try root.map(allowed: ["kind", "max_pct"])
        var spec = QuarantineSpec()
        if let v = map["max_pct"] {
            spec.maxPct = try v.double("a percentage")
            guard (0...100).contains(spec.maxPct) else { throw v.error("expected a percentage from 0 to 100") }
        }
        return spec
    }
}
