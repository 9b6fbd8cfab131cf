import Foundation

/// A computed-column expression with its columns resolved to positions, evaluated per row in 64-bit scaled
/// integers (exact, like Decimal) and falling back to Decimal only when a value would not fit.
struct CompiledExpression {
    indirect enum Node {
        case constant(ExactValue)
        case column(Int, kind: ValueKind)
        case negate(Node)
        case binary(Character, Node, Node)
        case call(Function, [Node])
        /// `round(x, n)` with constant places, the common computed column (`round(amount * 0.08, 2)`).
        case round(Node, places: Int)
    }

    /// The functions of the expression language, resolved once instead of compared by name on every row.
    enum Function: String {
        case coalesce, upper, lower, trim, abs, round
        case dateDiff = "date_diff"
        case dateAdd = "date_add"
    }

    let root: Node

    init(_ expression: ColumnExpression, position: (String) -> (index: Int, kind: ValueKind)) {
        func compile(_ e: ColumnExpression) -> Node {
            switch e {
            case .number(let d): return .constant(ExactValue(d))
            case .text(let s): return .constant(.text(s))
            case .null: return .constant(.null)
            case .column(let c, _):
                let p = position(c)
                return .column(p.index, kind: p.kind)
            case .negate(let inner, _): return .negate(compile(inner))
            case .binary(let op, let a, let b, _): return .binary(op, compile(a), compile(b))
            case .call(let name, let args, _):
                // The parser admits only known names; an unknown one would be a parser defect, so it reads as round.
                let function = Function(rawValue: name) ?? .round
                if function == .round, args.count == 2, case .number(let p) = args[1],
                    let places = Int(exactly: NSDecimalNumber(decimal: p).int64Value),
                    Decimal(places) == p
                {
                    return .round(compile(args[0]), places: places)
                }
                if function == .round, args.count == 1 { return .round(compile(args[0]), places: 0) }
                return .call(function, args.map(compile))
            }
        }
        root = compile(expression)
    }

    /// `value(i, kind)` gives column `i`'s value (see `ExactValue.of`).
    func evaluate(_ value: (Int, ValueKind) -> ExactValue) -> ExactValue {
        evaluate(root, value)
    }

    private func evaluate(_ node: Node, _ value: (Int, ValueKind) -> ExactValue) -> ExactValue {
        switch node {
        case .constant(let v): return v
        case .column(let i, let kind):
            return value(i, kind)
        case .negate(let inner):
            switch evaluate(inner, value) {
            case .exact(let s, let scale) where s != .min: return .exact(-s, scale)
            case let other: return other.decimal.map { .decimal(-$0) } ?? .null
            }
        case .binary(let op, let a, let b):
            let x = evaluate(a, value)
            let y = evaluate(b, value)
            let operation: ExactValue.ScaledOperation? = op == "+" ? .add : op == "-" ? .subtract : op == "*" ? .multiply : nil
            if case .exact(let xs, let xe) = x, case .exact(let ys, let ye) = y, let operation,
                let (r, scale) = ExactValue.scaled(operation, xs, xe, ys, ye)
            {
                return .exact(r, scale)
            }
            guard let dx = x.decimal, let dy = y.decimal else { return .null }
            switch op {
            case "+": return .decimal(dx + dy)
            case "-": return .decimal(dx - dy)
            case "*": return .decimal(dx * dy)
            default: return dy.isZero ? .null : .decimal(dx / dy)
            }
        case .round(let inner, let places):
            return Self.round(evaluate(inner, value), places: places)
        case .call(let function, let args):
            let values = args.map { evaluate($0, value) }
            switch function {
            case .coalesce: return values.first { !$0.isNull } ?? .null
            case .upper: return values[0].isNull ? .null : .text(values[0].text.uppercased())
            case .lower: return values[0].isNull ? .null : .text(values[0].text.lowercased())
            case .trim: return values[0].isNull ? .null : .text(values[0].text.trimmingCharacters(in: .whitespaces))
            case .dateDiff:
                guard case .text(let name) = values[0], let unit = TimeUnit(rawValue: name.lowercased()),
                    case .time(let a) = values[1], case .time(let b) = values[2], let n = unit.elapsed(from: a, to: b)
                else { return .null }
                return .exact(n, 0)
            case .dateAdd:
                guard case .text(let name) = values[0], let unit = TimeUnit(rawValue: name.lowercased()),
                    case .exact(let n, 0) = values[1], case .time(let t) = values[2], let moved = unit.add(n, to: t)
                else { return .null }
                return .time(moved)
            case .abs:
                if case .exact(let s, let scale) = values[0], s != .min { return .exact(Swift.abs(s), scale) }
                guard let n = values[0].decimal else { return .null }
                return .decimal(n < 0 ? -n : n)
            case .round:
                let places: Int
                if values.count > 1 {
                    guard let p = values[1].decimal else { return .null }
                    places = NSDecimalNumber(decimal: p).intValue
                } else {
                    places = 0
                }
                return Self.round(values[0], places: places)
            }
        }
    }

    /// Half away from zero, exactly on scaled integers, through Decimal otherwise.
    private static func round(_ x: ExactValue, places: Int) -> ExactValue {
        if case .exact(let s, let scale) = x, places >= 0 {
            let (r, rounded) = ExactValue.rounded(s, scale, places: places)
            return .exact(r, rounded)
        }
        guard var n = x.decimal else { return .null }
        var result = Decimal()
        NSDecimalRound(&result, &n, places, .plain)
        return .decimal(result)
    }
}

/// How a column's text reads in an expression: a number, a point in time (by the column's formats), or text.
enum ValueKind {
    case number
    case time(ValueCheck)
    case text

    init(_ column: ColumnSpec) {
        switch column.type {
        case .integer, .decimal: self = .number
        case .date, .timestamp: self = .time(ValueCheck(column))
        case .string, .boolean: self = .text
        }
    }
}

/// A value in a computed column: exact scaled integer where it fits, Decimal where it does not.
enum ExactValue {
    case null
    case exact(Int64, Int)
    case decimal(Decimal)
    case text(String)
    case time(TimeValue)

    static let powers: [Int64] = (0...18).map { n in (0..<n).reduce(Int64(1)) { r, _ in r * 10 } }

    init(_ d: Decimal) {
        let text = d.plainText
        var copy = text
        if let (s, scale) = copy.withUTF8({ ValueParser.scaled(FieldBytes($0)) }) { self = .exact(s, scale) } else { self = .decimal(d) }
    }

    /// A field's trimmed text as a value: null when empty, a number or a time when the column is one and it parses.
    static func of(_ f: FieldBytes, kind: ValueKind) -> ExactValue {
        if f.isEmpty { return .null }
        switch kind {
        case .number:
            if let (significand, scale) = ValueParser.scaled(f) { return .exact(significand, scale) }
            if let d = ValueParser.decimal(f) { return .decimal(d) }
        case .time(let check):
            if let t = check.time(f) { return .time(t) }
        case .text:
            break
        }
        return .text(f.string)
    }

    init(_ value: ExpressionValue) {
        switch value {
        case .null: self = .null
        case .number(let d): self = ExactValue(d)
        case .text(let t): self = .text(t)
        }
    }

    static func of(_ text: String, kind: ValueKind) -> ExactValue {
        var text = text
        return text.withUTF8 { of(FieldBytes($0), kind: kind) }
    }

    var isNull: Bool { if case .null = self { return true } else { return false } }

    var decimal: Decimal? {
        switch self {
        case .null, .time: return nil
        case .exact(let s, let scale): return Decimal(sign: s < 0 ? .minus : .plus, exponent: -scale, significand: Decimal(s.magnitude))
        case .decimal(let d): return d
        case .text(let t): return ValueParser.decimal(t)
        }
    }

    /// The arithmetic both evaluations share (`CompiledExpression` and `ScaledProgram`), on scaled integers.
    enum ScaledOperation { case add, subtract, multiply }

    /// + - * on scaled integers; nil when a step would overflow (the caller uses Decimal).
    static func scaled(_ op: ScaledOperation, _ xs: Int64, _ xe: Int, _ ys: Int64, _ ye: Int) -> (Int64, Int)? {
        if op == .multiply {
            let (p, overflow) = xs.multipliedReportingOverflow(by: ys)
            guard !overflow, xe + ye <= 18 else { return nil }
            return (p, xe + ye)
        }
        let scale = max(xe, ye)
        let (a, o1) = xs.multipliedReportingOverflow(by: powers[scale - xe])
        let (b, o2) = ys.multipliedReportingOverflow(by: powers[scale - ye])
        guard !o1, !o2 else { return nil }
        let (r, o3) = op == .add ? a.addingReportingOverflow(b) : a.subtractingReportingOverflow(b)
        return o3 ? nil : (r, scale)
    }

    /// A scaled integer rounded half away from zero to `places` (0 or more) decimals.
    static func rounded(_ s: Int64, _ scale: Int, places: Int) -> (Int64, Int) {
        guard scale > places else { return (s, scale) }
        let divisor = powers[scale - places]
        let (q, r) = s.quotientAndRemainder(dividingBy: divisor)
        return (Swift.abs(r) >= divisor / 2 && divisor > 1 ? q + (s < 0 ? -1 : 1) : q, places)
    }

    /// `text`'s bytes appended to `bytes`; an exact number is written digit by digit, with no String made.
    func appendText(to bytes: inout [UInt8]) {
        guard case .exact(var s, var scale) = self else {
            bytes.append(contentsOf: text.utf8)
            return
        }
        while scale > 0 && s % 10 == 0 {
            s /= 10
            scale -= 1
        }
        if s < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = s.magnitude
        // Digits from the last, into a fixed buffer: 20 digits for a UInt64, one point, and leading zeros to scale 18.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { buffer in
            var at = 40
            var written = 0
            repeat {
                if scale > 0 && written == scale {
                    at -= 1
                    buffer[at] = UInt8(ascii: ".")
                }
                at -= 1
                buffer[at] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                written += 1
            } while magnitude > 0 || written <= scale
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[at..<40]))
        }
    }

    /// Plain text without trailing fractional zeros (as Decimal prints it): `2.27`, `10`, `-0.5`.
    var text: String {
        switch self {
        case .null: return ""
        case .text(let t): return t
        case .time(let t): return t.isoText
        case .decimal(let d): return d.plainText
        case .exact:
            var bytes: [UInt8] = []
            appendText(to: &bytes)
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
