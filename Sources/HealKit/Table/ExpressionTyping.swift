import Foundation

/// The type of a computed-column expression, from the types of the columns it reads: `heal check` and the run
/// refuse an expression the language cannot evaluate (text minus a timestamp, a column the contract lacks) rather
/// than load NULL into every row.
struct ExpressionTyping {
    /// A type error at a character offset of the expression's text.
    struct Failure: Error {
        var offset: Int
        var message: String
    }

    /// The columns an expression may read, by name, with their types.
    let columns: [String: ColumnType]
    /// Where the columns come from, for the message when a name is unknown (`the contract`, `the file`).
    let known: String

    /// nil is the type of `null`, which fits anywhere.
    func type(of e: ColumnExpression) throws(Failure) -> ColumnType? {
        switch e {
        case .number(let d): return d == d.rounded ? .integer : .decimal
        case .text: return .string
        case .null: return nil
        case .column(let name, let at):
            guard let type = columns[name] else {
                throw Failure(offset: at, message: "'\(name)' is not a column of \(known)\(NearMiss.hint(for: name, among: columns.keys))")
            }
            return type
        case .negate(let inner, let at):
            let t = try type(of: inner)
            guard t == nil || t == .integer || t == .decimal else {
                throw Failure(offset: at, message: "cannot negate \(Self.a(t)) (\(inner))")
            }
            return t
        case .binary(let op, let a, let b, let at):
            let (x, y) = (try type(of: a), try type(of: b))
            if Self.isNumber(x) && Self.isNumber(y) {
                return op != "/" && x != .decimal && y != .decimal ? .integer : .decimal
            }
            let verb = ["+": "add", "-": "subtract", "*": "multiply", "/": "divide"][op] ?? "combine"
            var message =
                op == "-"
                ? "cannot subtract \(Self.a(y)) (\(b)) from \(Self.a(x)) (\(a))"
                : "cannot \(verb) \(Self.a(x)) (\(a)) and \(Self.a(y)) (\(b)) with '\(op)'"
            if Self.isTime(x) && Self.isTime(y) && op == "-" {
                message +=
                    "; the time between two dates or timestamps is date_diff('minute', \(b), \(a)) (second, minute, hour, day, week, month or year)"
            } else if Self.isTime(x) || Self.isTime(y) {
                message += "; move a date or timestamp with date_add('day', n, column)"
            } else if x == .string || y == .string {
                message += "; declare the column integer or decimal in the contract to compute with it"
            }
            throw Failure(offset: at, message: message)
        case .call(let name, let args, let at):
            return try call(name, args, at: at)
        }
    }

    private func call(_ name: String, _ args: [ColumnExpression], at: Int) throws(Failure) -> ColumnType? {
        var types: [ColumnType?] = []
        for arg in args { types.append(try type(of: arg)) }
        func need(_ ok: Bool, _ n: Int, _ what: String) throws(Failure) {
            guard ok else {
                throw Failure(
                    offset: at,
                    message: "\(name)'s \(Self.ordinal(n)) argument (\(args[n])) is \(Self.a(types[n])); expected \(what)"
                )
            }
        }
        switch name {
        case "round", "abs":
            try need(Self.isNumber(types[0]), 0, "a number")
            if types.count > 1 { try need(types[1] == .integer, 1, "a whole number of places") }
            return name == "abs" ? types[0] : (types[0] == .integer ? .integer : .decimal)
        case "upper", "lower", "trim":
            try need(types[0] == nil || types[0] == .string, 0, "text")
            return .string
        case "coalesce":
            var joined: ColumnType?
            for (n, t) in types.enumerated() {
                guard let t else { continue }
                guard let j = joined else {
                    joined = t
                    continue
                }
                try need(j.holds(t) || t.holds(j), n, "the type of the arguments before it (\(j.rawValue))")
                joined = j.widened(with: t)
            }
            return joined
        case "date_diff", "date_add":
            guard case .text(let unit) = args[0], TimeUnit(rawValue: unit.lowercased()) != nil else {
                throw Failure(
                    offset: at,
                    message:
                        "\(name)'s first argument is the unit as a quoted word: one of \(TimeUnit.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", "))"
                )
            }
            if name == "date_diff" {
                try need(Self.isTime(types[1]), 1, "a date or timestamp")
                try need(Self.isTime(types[2]), 2, "a date or timestamp")
                return .integer
            }
            try need(types[1] == .integer, 1, "a whole number of units")
            try need(Self.isTime(types[2]), 2, "a date or timestamp")
            let keepsDate = types[2] == .date && ["day", "week", "month", "year"].contains(unit.lowercased())
            return keepsDate ? .date : .timestamp
        default:
            return nil
        }
    }

    static func isNumber(_ t: ColumnType?) -> Bool { t == nil || t == .integer || t == .decimal }
    static func isTime(_ t: ColumnType?) -> Bool { t == nil || t == .date || t == .timestamp }

    static func a(_ t: ColumnType?) -> String {
        guard let t else { return "null" }
        switch t {
        case .integer: return "an integer"
        case .string: return "text"
        default: return "a \(t.rawValue)"
        }
    }

    static func ordinal(_ n: Int) -> String { ["first", "second", "third"][min(n, 2)] }
}

extension Decimal {
    var rounded: Decimal {
        var value = self
        var out = Decimal()
        NSDecimalRound(&out, &value, 0, .plain)
        return out
    }
}
