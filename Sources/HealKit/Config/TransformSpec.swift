import Foundation

public struct TransformSpec: Sendable {
    public var snakeCaseNames = false
    public var trim = false
    public var nullTokens: [String] = []
    public var isoDates = false
    public var dedupeKey: [String] = []
    public var lookup: LookupSpec?
    public var computed: [ComputedColumn] = []
}

public struct LookupSpec: Sendable {
    public var file: Template
    public var key: String
    public var columns: [String]
}

public struct ComputedColumn: Sendable {
    public var name: String
    public var expression: ColumnExpression
    public var type: ColumnType
    /// Where the expression's first character is, so a type error names file:line:column of the culprit.
    public var file = ""
    public var line = 1
    public var column = 1
}

extension TransformSpec: YAMLSettings {
    public static let kind: SkillKind = "transform"

    static func decode(_ root: YAMLValue) throws -> TransformSpec {
        let map = try root.map(allowed: ["kind", "snake_case_names", "trim", "null_tokens", "iso_dates", "dedupe", "lookup", "computed"])
        var spec = TransformSpec()
        if let v = map["snake_case_names"] { spec.snakeCaseNames = try v.bool() }
        if let v = map["trim"] { spec.trim = try v.bool() }
        if let v = map["null_tokens"] { spec.nullTokens = try v.strings("a token") }
        if let v = map["iso_dates"] { spec.isoDates = try v.bool() }
        if let v = map["dedupe"] {
            let d = try v.map(allowed: ["key"])
            spec.dedupeKey = try d.required("key", "the key columns").strings("a column name")
        }
        if let v = map["lookup"] {
            let l = try v.map(allowed: ["file", "key", "columns"])
            spec.lookup = LookupSpec(
                file: try l.required("file", "a CSV file").template("a path"),
                key: try l.required("key", "the join column").string("a column name"),
                columns: try l.required("columns", "the columns to add").strings("a column name")
            )
        }
        if let v = map["computed"] {
            for item in try v.list() {
                let c = try item.map(allowed: ["name", "expr", "type"])
                let exprValue = try c.required("expr", "an expression such as round(amount * 0.08, 2)")
                let expression: ColumnExpression
                do { expression = try ColumnExpression.parse(try exprValue.string("an expression")) } catch let error as ExpressionError {
                    throw exprValue.error(error.message)
                }
                var type = ColumnType.string
                if let t = c["type"] {
                    let text = try t.string("a type")
                    guard let parsed = ColumnType(rawValue: text) else {
                        throw t.error(
                            "unknown type '\(text)'; expected one of \(ColumnType.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                    }
                    type = parsed
                }
                var computed = ComputedColumn(
                    name: try c.required("name", "the new column's name").string(),
                    expression: expression,
                    type: type
                )
                computed.file = exprValue.file
                computed.line = exprValue.line
                // A quoted scalar's mark is its opening quote.
                let quoted = exprValue.node.scalar.map { $0.style == .singleQuoted || $0.style == .doubleQuoted } ?? false
                computed.column = exprValue.column + (quoted ? 1 : 0)
                spec.computed.append(computed)
            }
        }
        return spec
    }

    public var artifactSteps: [String] { lookup?.file.artifactSteps ?? [] }

    public var endpoints: [SkillEndpoint] { lookup.map { [.lookup($0.file)] } ?? [] }
}
