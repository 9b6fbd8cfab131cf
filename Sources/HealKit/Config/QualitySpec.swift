import Foundation

public struct QualitySpec: Sendable {
    public var rules: [QualityRule]
    /// The watch on each column's history (on unless `drift: off`).
    public var drift = DriftPolicy()
}

public enum QualityRule: Sendable, Equatable {
    case notNull([String])
    case unique([String])
    case range(column: String, min: Decimal?, max: Decimal?)
    case allowed(column: String, values: [String])
    case pattern(column: String, regex: String)
    case rowCount(withinPct: Double, history: Int)

    public var name: String {
        switch self {
        case .notNull: return "not_null"
        case .unique: return "unique"
        case .range: return "range"
        case .allowed: return "allowed"
        case .pattern: return "pattern"
        case .rowCount: return "row_count"
        }
    }

    public var columns: [String] {
        switch self {
        case .notNull(let c), .unique(let c): return c
        case .range(let c, _, _), .allowed(let c, _), .pattern(let c, _): return [c]
        case .rowCount: return []
        }
    }
}

extension QualitySpec: YAMLSettings {
    public static let kind: SkillKind = "validate_quality"

    static let ruleNames = ["not_null", "unique", "range", "allowed", "pattern", "row_count"]

    static func decode(_ root: YAMLValue) throws -> QualitySpec {
        let map = try root.map(allowed: ["kind", "rules", "drift"])
        var rules: [QualityRule] = []
        for item in try map.required("rules", "the list of quality rules").list() {
            let rule = try item.map(allowed: ruleNames)
            guard rule.entries.count == 1, let (key, value) = rule.entries.first else {
                throw item.error("expected exactly one rule per list item (one of \(ruleNames.joined(separator: ", ")))")
            }
            switch try key.string() {
            case "not_null": rules.append(.notNull(try value.strings("a column name")))
            case "unique": rules.append(.unique(try value.strings("a column name")))
            case "range":
                let r = try value.map(allowed: ["column", "min", "max"])
                func bound(_ name: String) throws -> Decimal? {
                    guard let v = r[name] else { return nil }
                    let text = try v.string("a number")
                    guard let d = ValueParser.decimal(text) else { throw v.error("expected a number, found '\(text)'") }
                    return d
                }
                let min = try bound("min")
                let max = try bound("max")
                if min == nil && max == nil { throw value.error("a range needs 'min', 'max' or both") }
                rules.append(.range(column: try r.required("column", "a column name").string(), min: min, max: max))
            case "allowed":
                let r = try value.map(allowed: ["column", "values"])
                rules.append(
                    .allowed(
                        column: try r.required("column", "a column name").string(),
                        values: try r.required("values", "the allowed values").strings()
                    )
                )
            case "pattern":
                let r = try value.map(allowed: ["column", "regex"])
                let regexValue = try r.required("regex", "a regular expression")
                let regex = try regexValue.string("a regular expression")
                do { _ = try NSRegularExpression(pattern: regex) } catch {
                    throw regexValue.error("'\(regex)' is not a valid regular expression")
                }
                rules.append(.pattern(column: try r.required("column", "a column name").string(), regex: regex))
            default:
                let r = try value.map(allowed: ["within_pct", "history"])
                rules.append(
                    .rowCount(
                        withinPct: try r.required("within_pct", "the allowed deviation in percent").double("a percentage"),
                        history: try r["history"]?.int("a number of past runs", range: 1...365) ?? 7
                    )
                )
            }
        }
        var spec = QualitySpec(rules: rules)
        if let value = map["drift"] { spec.drift = try DriftPolicy.decode(value) }
        return spec
    }
}

extension DriftPolicy {
    /// `drift: off`, or `drift: { columns: [...], shape: fail, range: fail, nulls: warn, values: warn,
    /// lookup_match: fail, history: 7, min_days: 3, per_column: { amount: { range: warn } } }`.
    static func decode(_ value: YAMLValue) throws -> DriftPolicy {
        var policy = DriftPolicy()
        if case .scalar = value.node {
            let text = try value.string()
            guard text == "off" || text == "false" else {
                throw value.error(
                    "expected off, or a map of drift settings (shape, range, nulls, values, lookup_match, columns, history, min_days, per_column)"
                )
            }
            policy.enabled = false
            return policy
        }
        let checks = DriftPolicy.Check.allCases.map(\.rawValue)
        let map = try value.map(allowed: ["columns", "history", "min_days", "per_column"] + checks)
        func levels(_ map: YAMLMap) throws -> [DriftPolicy.Check: DriftPolicy.Level] {
            var out: [DriftPolicy.Check: DriftPolicy.Level] = [:]
            for check in DriftPolicy.Check.allCases {
                if let v = map[check.rawValue] { out[check] = try v.oneOf(DriftPolicy.Level.self) }
            }
            return out
        }
        policy.levels.merge(try levels(map)) { _, new in new }
        if let v = map["columns"] { policy.columns = try v.strings("a column name") }
        if let v = map["history"] { policy.history = try v.int("a number of days", range: 1...90) }
        if let v = map["min_days"] { policy.minDays = try v.int("a number of days", range: 1...90) }
        if let v = map["per_column"] {
            for (key, settings) in try v.map(allowed: []).entries {
                policy.perColumn[try key.string("a column name")] = try levels(try settings.map(allowed: checks))
            }
        }
        return policy
    }
}
