import Foundation

/// A computed-column expression: `round(amount * 0.08, 2)`, `+ - * /`, `coalesce`, `upper`, `lower`, `trim`, `abs`,
/// `date_diff('minute', pickup_at, dropoff_at)`, `date_add('day', 7, date)`.
///
/// Parsed into a tree and evaluated per row with exact decimals; nothing in it can run code or touch files.
/// Columns, operators and calls keep their character offset in the text, so a type error can point at them.
public indirect enum ColumnExpression: Sendable, Equatable, CustomStringConvertible {
    case number(Decimal)
    case text(String)
    case null
    case column(String, at: Int)
    case negate(ColumnExpression, at: Int)
    case binary(Character, ColumnExpression, ColumnExpression, at: Int)
    case call(String, [ColumnExpression], at: Int)

    public static let functions: [String: ClosedRange<Int>] = [
        "round": 1...2, "coalesce": 1...32, "upper": 1...1, "lower": 1...1, "trim": 1...1, "abs": 1...1,
        "date_diff": 3...3, "date_add": 3...3,
    ]

    public var description: String {
        switch self {
        case .number(let d): return d.plainText
        case .text(let s): return "'\(s)'"
        case .null: return "null"
        case .column(let c, _): return c
        case .negate(let e, _): return "-\(e)"
        case .binary(let op, let a, let b, _): return "(\(a) \(op) \(b))"
        case .call(let f, let args, _): return "\(f)(\(args.map(\.description).joined(separator: ", ")))"
        }
    }

    /// Every column the expression reads.
    public var columns: [String] {
        switch self {
        case .column(let c, _): return [c]
        case .negate(let e, _): return e.columns
        case .binary(_, let a, let b, _): return a.columns + b.columns
        case .call(_, let args, _): return args.flatMap(\.columns)
        default: return []
        }
    }

    public static func parse(_ source: String) throws(ExpressionError) -> ColumnExpression {
        var parser = ColumnExpressionParser(source: source)
        let expression = try parser.parseExpression()
        try parser.expectEnd()
        return expression
    }
}

public struct ExpressionError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// A runtime value: SQL-like, where null propagates through arithmetic.
public enum ExpressionValue: Sendable, Equatable {
    case null
    case number(Decimal)
    case text(String)

    public var text: String {
        switch self {
        case .null: return ""
        case .number(let d): return d.plainText
        case .text(let s): return s
        }
    }
}

extension ColumnExpression {
    /// Evaluates against one row; `lookup` returns a column's value. The transform's compiled form does the work.
    public func evaluate(_ lookup: (String) -> ExpressionValue) -> ExpressionValue {
        let names = Array(Set(columns))
        let compiled = CompiledExpression(self) { name in (names.firstIndex(of: name)!, .text) }
        switch compiled.evaluate({ i, _ in ExactValue(lookup(names[i])) }) {
        case .null: return .null
        case .text(let t): return .text(t)
        case .time(let t): return .text(t.isoText)
        case let number: return number.decimal.map(ExpressionValue.number) ?? .null
        }
    }
}

/// Recursive-descent parser over the expression text.
struct ColumnExpressionParser {
    let chars: [Character]
    var index = 0
    let source: String

    init(source: String) {
        self.source = source
        chars = Array(source)
    }

    func fail(_ message: String) -> ExpressionError {
        ExpressionError(message: "in expression \"\(source)\" at character \(index + 1): \(message)")
    }

    mutating func skipSpace() {
        while index < chars.count, chars[index].isWhitespace { index += 1 }
    }

    mutating func expectEnd() throws(ExpressionError) {
        skipSpace()
        if index < chars.count { throw fail("unexpected '\(chars[index])'") }
    }

    mutating func parseExpression() throws(ExpressionError) -> ColumnExpression {
        var left = try parseTerm()
        while true {
            skipSpace()
            guard index < chars.count, chars[index] == "+" || chars[index] == "-" else { return left }
            let op = chars[index]
            let at = index
            index += 1
            left = .binary(op, left, try parseTerm(), at: at)
        }
    }

    mutating func parseTerm() throws(ExpressionError) -> ColumnExpression {
        var left = try parseUnary()
        while true {
            skipSpace()
            guard index < chars.count, chars[index] == "*" || chars[index] == "/" else { return left }
            let op = chars[index]
            let at = index
            index += 1
            left = .binary(op, left, try parseUnary(), at: at)
        }
    }

    mutating func parseUnary() throws(ExpressionError) -> ColumnExpression {
        skipSpace()
        if index < chars.count, chars[index] == "-" {
            let at = index
            index += 1
            return .negate(try parseUnary(), at: at)
        }
        return try parsePrimary()
    }

    mutating func parsePrimary() throws(ExpressionError) -> ColumnExpression {
        skipSpace()
        guard index < chars.count else { throw fail("expected a value, a column or a function, found the end") }
        let c = chars[index]
        if c == "(" {
            index += 1
            let inner = try parseExpression()
            skipSpace()
            guard index < chars.count, chars[index] == ")" else { throw fail("expected ')'") }
            index += 1
            return inner
        }
        if c == "'" || c == "\"" {
            index += 1
            var text = ""
            while index < chars.count, chars[index] != c {
                text.append(chars[index])
                index += 1
            }
            guard index < chars.count else { throw fail("a string is never closed") }
            index += 1
            return .text(text)
        }
        if c.isNumber || c == "." {
            let start = index
            while index < chars.count, chars[index].isNumber || chars[index] == "." { index += 1 }
            let literal = String(chars[start..<index])
            guard let value = ValueParser.decimal(literal) else { throw fail("'\(literal)' is not a number") }
            return .number(value)
        }
        if c.isLetter || c == "_" {
            let start = index
            while index < chars.count, chars[index].isLetter || chars[index].isNumber || chars[index] == "_" { index += 1 }
            let name = String(chars[start..<index])
            skipSpace()
            if index < chars.count, chars[index] == "(" {
                index += 1
                let lower = name.lowercased()
                guard let arity = ColumnExpression.functions[lower] else {
                    throw fail(
                        "unknown function '\(name)'; expected one of \(ColumnExpression.functions.keys.sorted().joined(separator: ", "))\(NearMiss.hint(for: lower, among: ColumnExpression.functions.keys))"
                    )
                }
                var args: [ColumnExpression] = []
                skipSpace()
                if index < chars.count, chars[index] == ")" {
                    index += 1
                } else {
                    while true {
                        args.append(try parseExpression())
                        skipSpace()
                        guard index < chars.count else { throw fail("expected ')' to close \(name)(") }
                        if chars[index] == "," {
                            index += 1
                            continue
                        }
                        if chars[index] == ")" {
                            index += 1
                            break
                        }
                        throw fail("expected ',' or ')'")
                    }
                }
                guard arity.contains(args.count) else {
                    throw fail(
                        "\(lower) takes \(arity.lowerBound == arity.upperBound ? "\(arity.lowerBound)" : "\(arity.lowerBound) to \(arity.upperBound)") arguments, found \(args.count)"
                    )
                }
                return .call(lower, args, at: start)
            }
            if name.lowercased() == "null" { return .null }
            return .column(name, at: start)
        }
        throw fail("unexpected '\(c)'")
    }
}
