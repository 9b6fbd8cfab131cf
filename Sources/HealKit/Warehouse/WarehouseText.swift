import Foundation
import GRDB

/// Values read back from a warehouse as text, the same on both: `3.0` and PostgreSQL's `3.000` read `3`, `12.50`
/// reads `12.5`, so a health check's `expect:` (and a test) need not know which warehouse answered.
public enum WarehouseText {
    public static func number(_ d: Double) -> String {
        d == d.rounded() && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    /// A SQLite value as text; nil for NULL.
    public static func value(_ value: DatabaseValue) -> String? {
        switch value.storage {
        case .null: return nil
        case .int64(let i): return String(i)
        case .double(let d): return number(d)
        case .string(let s): return s
        case .blob(let b): return "\(b.count) bytes"
        }
    }

    /// A PostgreSQL value printed as text: decimals tidied as SQLite would print them, the rest as they are.
    public static func tidy(_ text: String) -> String {
        guard text.contains("."), !text.contains("e"), !text.contains("E"), let d = Double(text) else { return text }
        return number(d)
    }
}
