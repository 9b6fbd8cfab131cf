import Foundation
import GRDB

/// A checked cast of a value already in a table to a new column type, with the load's own conversion, so a
/// migrated column holds exactly what a load of the same text would have written.
struct StoredValueCast: Sendable {
    let value: LoadValue

    init(to target: ColumnSpec, dialect: SQLDialect) {
        // Stored text is read as the target type with the target's formats (the contract's, when it has the column).
        value = LoadValue(
            LoadPlan.Write(
                name: target.name,
                source: 0,
                spec: target,
                type: target.type,
                instants: target.keepsOffset,
                scale: target.scale
            ),
            dialect: dialect
        )
    }

    /// The converted value as text for PostgreSQL or a SQLite value; throws the load's error when it does not fit.
    func convert(_ text: String) throws -> LoadValue.Value {
        var text = text
        return try text.withUTF8 { bytes in
            switch try value.convert(FieldBytes(bytes), line: 0) {
            case .bytes(let f): return .text(f.string)
            case let other: return other
            }
        }
    }

    func databaseValue(_ stored: DatabaseValue) throws -> DatabaseValue {
        guard let text = WarehouseText.value(stored) else { return .null }
        switch try convert(text) {
        case .null: return .null
        case .integer(let i): return i.databaseValue
        case .real(let d): return d.databaseValue
        case .text(let t): return t.databaseValue
        case .bytes(let f): return f.string.databaseValue
        }
    }
}
