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

    /// A PostgreSQL value printed as text, as SQLite holds it: decimals without trailing zeros (`12.50` → `12.5`,
    /// exactly, never through a double), an instant in UTC with `Z` (`… 09:18:00+00` → `… 09:18:00Z`).
    public static func tidy(_ text: String) -> String {
        if text.count >= 22, text.hasSuffix("+00"), text.dropFirst(10).first == " ", text.first?.isNumber == true {
            return String(text.dropLast(3)) + "Z"
        }
        guard text.contains("."), !text.contains("e"), !text.contains("E"), !text.contains(" "), !text.contains(":") else { return text }
        var bytes = Array(text.utf8)
        guard bytes.allSatisfy({ $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") || ($0 >= 48 && $0 <= 57) }) else { return text }
        while bytes.last == UInt8(ascii: "0") { bytes.removeLast() }
        if bytes.last == UInt8(ascii: ".") { bytes.removeLast() }
        return String(decoding: bytes, as: UTF8.self)
    }
}
