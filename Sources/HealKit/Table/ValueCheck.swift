import Foundation

/// A contract column compiled for the data path: does a field's text parse as the column's type?
struct ValueCheck {
    let column: ColumnSpec

    init(_ column: ColumnSpec) { self.column = column }

    /// Whether non-empty, trimmed `f` is a valid value of the column.
    @inline(__always)
    func accepts(_ f: FieldBytes) -> Bool {
        switch column.type {
        case .string: return true
        case .integer: return ValueParser.integer(f) != nil
        case .decimal: return ValueParser.isDecimal(f)
        case .boolean: return ValueParser.boolean(f) != nil
        case .date:
            for format in column.formats where CalendarDate.parse(bytes: f.buffer, format: format) != nil { return true }
            return false
        }
    }
}

extension ColumnSpec {
    /// "an integer", "a date (yyyy-MM-dd or MM/dd/yyyy)": what a value of this column must look like.
    var expectation: String {
        switch type {
        case .date: return "a date (\(formats.map(\.pattern).joined(separator: " or ")))"
        case .integer: return "an integer"
        default: return "a \(type.rawValue)"
        }
    }
}
