import Foundation

/// A regular expression matched over a field's bytes, for the `pattern` rule's hot path.
///
/// Covers what contracts use (literals, `.`, classes, `\d \w \s`, groups, `|`, `* + ? {m,n}`, `^ $`); any other
/// syntax, and any value with non-ASCII bytes, goes to NSRegularExpression, so answers never differ from it.
public struct BytePattern: @unchecked Sendable {
    let fallback: NSRegularExpression
    private let program: Program?

    public init(_ pattern: String) throws {
        fallback = try NSRegularExpression(pattern: pattern)
        var parser = Parser(bytes: Array(pattern.utf8))
        program = pattern.utf8.allSatisfy { $0 < 0x80 } ? parser.parseAll().flatMap(Program.init) : nil
    }

    /// Whether the pattern matches somewhere in the value (NSRegularExpression's firstMatch semantics).
    public func matches(_ f: FieldBytes) -> Bool {
        guard let program, f.buffer.allSatisfy({ $0 < 0x80 }) else {
            let text = f.string
            return fallback.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil
        }
        return program.search(f.buffer)
    }

    /// Instructions for a backtracking machine that visits each (instruction, position) once: linear time,
    /// no recursion, no allocation per value beyond a stack buffer.
    struct Program {
        enum Inst {
            case byte(UInt8)
            case any
            case set(Int)
            case split(Int, Int)
            case jump(Int)
            case start, end, match
        }

        var code: [Inst] = []
        var sets: [UInt64] = []
        var anchored = false

        init?(_ terms: [Term]) {
            if case .start = terms.first?.atom { anchored = true }
            guard emit(terms) else { return nil }
            code.append(.match)
            guard code.count <= 512 else { return nil }
        }

        private mutating func emit(_ terms: [Term]) -> Bool {
            for term in terms {
                for _ in 0..<term.min { guard emit(term.atom) else { return false } }
                if term.max == .max {
                    let loop = code.count
                    code.append(.split(0, 0))
                    guard emit(term.atom) else { return false }
                    code.append(.jump(loop))
                    code[loop] = .split(loop + 1, code.count)
                } else if term.max > term.min {
                    var holes: [Int] = []
                    for _ in term.min..<term.max {
                        holes.append(code.count)
                        code.append(.split(0, 0))
                        guard emit(term.atom) else { return false }
                        if code.count > 512 { return false }
                    }
                    for hole in holes { code[hole] = .split(hole + 1, code.count) }
                }
                if code.count > 512 { return false }
            }
            return true
        }

        private mutating func emit(_ atom: Atom) -> Bool {
            switch atom {
            case .byte(let b): code.append(.byte(b))
            case .any: code.append(.any)
            case .start: code.append(.start)
            case .end: code.append(.end)
            case .set(let ranges, let negated):
                var mask: [UInt64] = [0, 0, 0, 0]
                for r in ranges { for c in r { mask[Int(c) >> 6] |= 1 << UInt64(c & 63) } }
                if negated { for k in 0..<4 { mask[k] = ~mask[k] } }
                code.append(.set(sets.count / 4))
                sets += mask
            case .group(let alternatives):
                var jumps: [Int] = []
                for (n, alternative) in alternatives.enumerated() {
                    if n < alternatives.count - 1 {
                        let split = code.count
                        code.append(.split(0, 0))
                        guard emit(alternative) else { return false }
                        jumps.append(code.count)
                        code.append(.jump(0))
                        code[split] = .split(split + 1, code.count)
                    } else {
                        guard emit(alternative) else { return false }
                    }
                }
                for j in jumps { code[j] = .jump(code.count) }
            }
            return true
        }

        func search(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
            let n = b.count
            let states = code.count * (n + 1)
            let words = (states + 63) / 64
            return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: words) { visited in
                visited.initialize(repeating: 0)
                return withUnsafeTemporaryAllocation(of: (Int, Int).self, capacity: states + 1) { stack in
                    // A state that failed from one start fails from every start (no captures): visited is shared.
                    for from in 0...n {
                        if run(from, b, visited, stack) { return true }
                        if anchored { return false }
                    }
                    return false
                }
            }
        }

        private func run(
            _ from: Int,
            _ b: UnsafeBufferPointer<UInt8>,
            _ visited: UnsafeMutableBufferPointer<UInt64>,
            _ stack: UnsafeMutableBufferPointer<(Int, Int)>
        ) -> Bool {
            let n = b.count
            var top = 0
            stack[0] = (0, from)
            top = 1
            while top > 0 {
                top -= 1
                var (pc, pos) = stack[top]
                while true {
                    let state = pc * (n + 1) + pos
                    if visited[state >> 6] & (1 << UInt64(state & 63)) != 0 { break }
                    visited[state >> 6] |= 1 << UInt64(state & 63)
                    switch code[pc] {
                    case .match: return true
                    case .byte(let c):
                        guard pos < n, b[pos] == c else { break }
                        pc += 1
                        pos += 1
                        continue
                    case .any:
                        guard pos < n, b[pos] != 10, b[pos] != 13 else { break }
                        pc += 1
                        pos += 1
                        continue
                    case .set(let k):
                        guard pos < n else { break }
                        let c = Int(b[pos])
                        guard sets[k * 4 + c >> 6] & (1 << UInt64(c & 63)) != 0 else { break }
                        pc += 1
                        pos += 1
                        continue
                    case .start:
                        guard pos == 0 else { break }
                        pc += 1
                        continue
                    case .end:
                        guard pos == n else { break }
                        pc += 1
                        continue
                    case .jump(let target):
                        pc = target
                        continue
                    case .split(let first, let second):
                        stack[top] = (second, pos)
                        top += 1
                        pc = first
                        continue
                    }
                    break
                }
            }
            return false
        }
    }

    enum Atom {
        case byte(UInt8)
        case any
        case set([ClosedRange<UInt8>], negated: Bool)
        case group([[Term]])
        case start, end
    }

    struct Term {
        var atom: Atom
        var min: Int
        var max: Int
    }

    /// Parses the supported subset; nil for anything else (lookaround, backreferences, \b, \p, flags…).
    struct Parser {
        let bytes: [UInt8]
        var i = 0

        mutating func parseAll() -> [Term]? {
            guard let alternatives = alternation(), i == bytes.count else { return nil }
            return alternatives.count == 1 ? alternatives[0] : [Term(atom: .group(alternatives), min: 1, max: 1)]
        }

        mutating func alternation() -> [[Term]]? {
            var alternatives: [[Term]] = []
            var current: [Term] = []
            while i < bytes.count {
                let c = bytes[i]
                if c == UInt8(ascii: ")") { break }
                if c == UInt8(ascii: "|") {
                    alternatives.append(current)
                    current = []
                    i += 1
                    continue
                }
                guard let atom = atom() else { return nil }
                guard let term = quantified(atom) else { return nil }
                if case .start = atom, term.min != 1 || term.max != 1 { return nil }
                current.append(term)
            }
            alternatives.append(current)
            return alternatives
        }

        mutating func atom() -> Atom? {
            let c = bytes[i]
            i += 1
            switch c {
            case UInt8(ascii: "^"): return .start
            case UInt8(ascii: "$"): return .end
            case UInt8(ascii: "."): return .any
            case UInt8(ascii: "("):
                if i < bytes.count, bytes[i] == UInt8(ascii: "?") {
                    guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ":") else { return nil }
                    i += 2
                }
                guard let inner = alternation(), i < bytes.count, bytes[i] == UInt8(ascii: ")") else { return nil }
                i += 1
                return .group(inner)
            case UInt8(ascii: "["): return set()
            case UInt8(ascii: "\\"):
                return escape(inClass: false).map { ranges in
                    ranges.1
                        ? .set(ranges.0, negated: true)
                        : ranges.0.count == 1 && ranges.0[0].count == 1 ? .byte(ranges.0[0].lowerBound) : .set(ranges.0, negated: false)
                }
            case UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "?"), UInt8(ascii: "{"), UInt8(ascii: "]"), UInt8(ascii: "}"):
                return nil
            default: return .byte(c)
            }
        }

        /// After a backslash: a class (`\d`) or a literal; the Bool says negated (`\D`).
        mutating func escape(inClass: Bool) -> ([ClosedRange<UInt8>], Bool)? {
            guard i < bytes.count else { return nil }
            let c = bytes[i]
            i += 1
            let digits: [ClosedRange<UInt8>] = [48...57]
            let word: [ClosedRange<UInt8>] = [48...57, 65...90, 97...122, 95...95]
            let space: [ClosedRange<UInt8>] = [9...13, 32...32]
            switch c {
            case UInt8(ascii: "d"): return (digits, false)
            case UInt8(ascii: "D"): return inClass ? nil : (digits, true)
            case UInt8(ascii: "w"): return (word, false)
            case UInt8(ascii: "W"): return inClass ? nil : (word, true)
            case UInt8(ascii: "s"): return (space, false)
            case UInt8(ascii: "S"): return inClass ? nil : (space, true)
            case UInt8(ascii: "t"): return ([9...9], false)
            case UInt8(ascii: "n"): return ([10...10], false)
            case UInt8(ascii: "r"): return ([13...13], false)
            default:
                // Escaped punctuation is literal; escaped letters and digits mean something else (\b, \1, \p…).
                guard !(c >= 48 && c <= 57) && !(c >= 65 && c <= 90) && !(c >= 97 && c <= 122) else { return nil }
                return ([c...c], false)
            }
        }

        mutating func set() -> Atom? {
            var negated = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "^") {
                negated = true
                i += 1
            }
            var ranges: [ClosedRange<UInt8>] = []
            var first = true
            while i < bytes.count {
                var c = bytes[i]
                if c == UInt8(ascii: "]") && !first {
                    i += 1
                    return .set(ranges, negated: negated)
                }
                if c == UInt8(ascii: "[") { return nil }
                first = false
                i += 1
                if c == UInt8(ascii: "\\") {
                    guard let (escaped, _) = escape(inClass: true) else { return nil }
                    if escaped.count > 1 || escaped[0].count > 1 {
                        ranges += escaped
                        continue
                    }
                    c = escaped[0].lowerBound
                }
                if i + 1 < bytes.count, bytes[i] == UInt8(ascii: "-"), bytes[i + 1] != UInt8(ascii: "]") {
                    var upper = bytes[i + 1]
                    i += 2
                    if upper == UInt8(ascii: "\\") {
                        guard let (escaped, _) = escape(inClass: true), escaped.count == 1, escaped[0].count == 1 else { return nil }
                        upper = escaped[0].lowerBound
                    }
                    guard c <= upper else { return nil }
                    ranges.append(c...upper)
                } else {
                    ranges.append(c...c)
                }
            }
            return nil
        }

        mutating func quantified(_ atom: Atom) -> Term? {
            var term = Term(atom: atom, min: 1, max: 1)
            guard i < bytes.count else { return term }
            switch bytes[i] {
            case UInt8(ascii: "*"):
                term.min = 0
                term.max = .max
                i += 1
            case UInt8(ascii: "+"):
                term.min = 1
                term.max = .max
                i += 1
            case UInt8(ascii: "?"):
                term.min = 0
                term.max = 1
                i += 1
            case UInt8(ascii: "{"):
                var j = i + 1
                func number() -> Int? {
                    let s = j
                    while j < bytes.count, bytes[j] >= 48, bytes[j] <= 57 { j += 1 }
                    return j > s ? Int(String(decoding: bytes[s..<j], as: UTF8.self)) : nil
                }
                guard let low = number() else { return nil }
                var high = low
                if j < bytes.count, bytes[j] == UInt8(ascii: ",") {
                    j += 1
                    high = number() ?? .max
                }
                guard j < bytes.count, bytes[j] == UInt8(ascii: "}"), low <= high else { return nil }
                term.min = low
                term.max = high
                i = j + 1
            default:
                return term
            }
            // Lazy or possessive suffixes: laziness cannot change whether a match exists; possessive can.
            if i < bytes.count, bytes[i] == UInt8(ascii: "?") {
                i += 1
            } else if i < bytes.count, bytes[i] == UInt8(ascii: "+") {
                return nil
            }
            return term
        }
    }
}
