import Foundation

public struct HealthCheckSpec: Sendable {
    public var target: Template?
    public var table: String?
    public var checks: [SQLCheck] = []
}

public struct SQLCheck: Sendable {
    public var name: String
    public var sql: String
    public var expect: SQLExpectation
}

extension HealthCheckSpec: YAMLSettings {
    public static let kind: SkillKind = "health_check"

    static func decode(_ root: YAMLValue) throws -> HealthCheckSpec {
        let map = try root.map(allowed: ["kind", "target", "table", "checks"])
        var spec = HealthCheckSpec()
        spec.target = try map["target"]?.template("sqlite:PATH")
        if let target = spec.target, let v = map["target"] { try LoadSpec.checkTarget(target, at: v) }
        spec.table = try map["table"]?.string("a table name")
        if let v = map["checks"] {
            spec.checks = try v.list().map { item in
                let c = try item.map(allowed: ["name", "sql", "expect"])
                let sql = try c.required("sql", "a query that returns one value").string("SQL")
                return SQLCheck(
                    name: try c["name"]?.string() ?? sql,
                    sql: sql,
                    expect: SQLExpectation(parsing: try c.required("expect", "the expected value").string("a value"))
                )
            }
        }
        return spec
    }

    public var sentTemplates: [Template] { target.map { [$0] } ?? [] }

    public var endpoints: [SkillEndpoint] { target.map { [.warehouse($0)] } ?? [] }
}
