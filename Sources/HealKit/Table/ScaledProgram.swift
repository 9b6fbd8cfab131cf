import Foundation

/// A computed expression that is only arithmetic on numbers (`round(amount * 0.08, 2)`), as a flat list of steps on
/// 64-bit scaled integers: no enum boxes, closures or Characters per row. It gives the answer `CompiledExpression`
/// gives, or `.unknown` where that one would leave the scaled integers (an overflow, a value that is not plain
/// decimal text), and the caller evaluates the row the general way.
struct ScaledProgram {
    enum Step {
        /// The trimmed field at this position of the row.
        case field(Int)
        case constant(Int64, Int)
        case negate
        case operation(ExactValue.ScaledOperation)
        case round(places: Int)
    }

    enum Result {
        case value(Int64, scale: Int)
        /// An input was empty: the result is NULL, as the general evaluation's.
        case null
        case unknown
    }

    let steps: [Step]
    private let depth: Int

    /// nil unless every part of `node` is a number field (`field(i)` gives its position in the row, or nil), an exact
    /// constant, `-`, `+`, `-`, `*`, or `round` with constant places of 0 or more.
    init?(_ node: CompiledExpression.Node, field: (Int) -> Int?) {
        var steps: [Step] = []
        var depth = 0
        var maxDepth = 0
        func push() {
            depth += 1
            maxDepth = max(maxDepth, depth)
        }
        func compile(_ node: CompiledExpression.Node) -> Bool {
            switch node {
            case .constant(.exact(let s, let scale)):
                steps.append(.constant(s, scale))
                push()
            case .column(let i, .number):
                guard let position = field(i) else { return false }
                steps.append(.field(position))
                push()
            case .negate(let inner):
                guard compile(inner) else { return false }
                steps.append(.negate)
            case .binary(let op, let a, let b):
                let operation: ExactValue.ScaledOperation
                switch op {
                case "+": operation = .add
                case "-": operation = .subtract
                case "*": operation = .multiply
                default: return false
                }
                guard compile(a), compile(b) else { return false }
                steps.append(.operation(operation))
                depth -= 1
            case .round(let inner, let places) where places >= 0:
                guard compile(inner) else { return false }
                steps.append(.round(places: places))
            default:
                return false
            }
            return true
        }
        guard compile(node) else { return nil }
        self.steps = steps
        self.depth = maxDepth
    }

    /// Runs the steps on one row's fields; every field is read, as the general evaluation reads every column.
    func run(_ field: (Int) -> FieldBytes) -> Result {
        withUnsafeTemporaryAllocation(of: (Int64, Int).self, capacity: depth) { stack in
            var top = 0
            var null = false
            for step in steps {
                switch step {
                case .field(let position):
                    let f = field(position)
                    if f.isEmpty {
                        null = true
                        stack[top] = (0, 0)
                    } else if let (s, scale) = ValueParser.scaled(f) {
                        stack[top] = (s, scale)
                    } else {
                        return .unknown
                    }
                    top += 1
                case .constant(let s, let scale):
                    stack[top] = (s, scale)
                    top += 1
                case .negate:
                    guard stack[top - 1].0 != .min else { return .unknown }
                    stack[top - 1].0 = -stack[top - 1].0
                case .operation(let operation):
                    let (ys, ye) = stack[top - 1]
                    let (xs, xe) = stack[top - 2]
                    top -= 1
                    guard let result = ExactValue.scaled(operation, xs, xe, ys, ye) else { return .unknown }
                    stack[top - 1] = result
                case .round(let places):
                    stack[top - 1] = ExactValue.rounded(stack[top - 1].0, stack[top - 1].1, places: places)
                }
            }
            return null ? .null : .value(stack[0].0, scale: stack[0].1)
        }
    }
}
