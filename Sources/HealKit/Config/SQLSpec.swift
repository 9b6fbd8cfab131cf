import Foundation

/// `sql`: one query against the warehouse and the answer it must give, e.g. no negative amounts for the day.
/// The query is the user's own; outside values reach it only as bound parameters, never spliced into its text.
public struct SQLSpec: Sendable {
    /// The warehouse to ask; without one, the run's last load's target.
    public var target: Template?
    public var query: String
    /// Values bound to the query's parameters in order (`?` in SQLite, `$1`, `$2` in PostgreSQL).
    public var params: [Template] = []
    public var expect: SQLExpectation
    /// The failure class of a wrong answer.
    public var failureClass = FailureClass.qualityViolation
}

extension SQLSpec: YAMLSettings {
    public static let kind: SkillKind = "sql"

    /// Staged files its parameters name (`{artifact.STEP}`): they are checked to come from an earlier step, and kept.
    public var artifactSteps: [String] { params.flatMap(\.artifactSteps) }

    /// The classes a wrong answer may take: what the data says, never what the machine did.
    static let answerClasses: [FailureClass] = [.qualityViolation, .volumeAnomaly, .drift, .constraintViolation]

    static func decode(_ root: YAMLValue) throws -> SQLSpec {
        let map = try root.map(allowed: ["kind", "target", "query", "params", "expect", "failure_class"])
        let queryValue = try map.required("query", "a query whose first column of the first row is the answer")
        let query = try queryValue.string("SQL")
        guard !query.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
            throw queryValue.error("expected a query, found an empty text")
        }
        let expect = try map.required("expect", "the answer, e.g. 0 or '> 0'").string("a value or a comparison such as '> 0'")
        var spec = SQLSpec(
            target: try map["target"]?.template("sqlite:PATH or postgres://user@host:port/database"),
            query: query,
            expect: SQLExpectation(parsing: expect)
        )
        if let v = map["params"] { spec.params = try v.list().map { try $0.template("a value such as {date}") } }
        if let v = map["failure_class"] {
            let failureClass = try FailureClass.decode(v)
            guard answerClasses.contains(failureClass) else {
                throw v.error(
                    "a wrong answer is one of \(answerClasses.map(\.rawValue).joined(separator: ", ")); '\(failureClass.rawValue)' describes something else"
                )
            }
            spec.failureClass = failureClass
        }
        if let target = spec.target, let v = map["target"] { try LoadSpec.checkTarget(target, at: v) }
        return spec
    }

    public var sentTemplates: [Template] { (target.map { [$0] } ?? []) + params }

    public var endpoints: [SkillEndpoint] { target.map { [.warehouse($0)] } ?? [] }
}
