import Foundation

/// How a warehouse declares heal's column types, and how a declared type reads back as one of them.
///
/// PostgreSQL gets its own types. SQLite gets declared types whose affinity keeps values exact and sortable:
/// `DATE`, `TIMESTAMP` and `TIMESTAMPTZ` hold ISO text; `NUMERIC(p,s)` holds whole values as INTEGER and the rest as
/// REAL, and a load refuses a decimal of more than 15 significant digits (what a REAL reads back exactly as written).
public enum SQLDialect: String, Sendable {
    case sqlite, postgres

    public func declare(_ column: ColumnSpec) -> String {
        switch (self, column.type) {
        case (.sqlite, .integer): return "INTEGER"
        case (.sqlite, .boolean): return "BOOLEAN"
        case (.sqlite, .decimal): return column.scale.map { "NUMERIC(\(max(18, $0 + 1)),\($0))" } ?? "NUMERIC"
        case (.sqlite, .string): return "TEXT"
        case (.sqlite, .date): return "DATE"
        case (.sqlite, .timestamp): return column.keepsOffset ? "TIMESTAMPTZ" : "TIMESTAMP"
        case (.postgres, .integer): return "bigint"
        case (.postgres, .boolean): return "boolean"
        case (.postgres, .decimal): return column.scale.map { "numeric(\(max(18, $0 + 1)),\($0))" } ?? "numeric"
        case (.postgres, .string): return "text"
        case (.postgres, .date): return "date"
        case (.postgres, .timestamp): return column.keepsOffset ? "timestamptz" : "timestamp"
        }
    }

    /// The heal type a declared type holds (`REAL` and `numeric(12,2)` are decimals, `character varying` text);
    /// nil for a type heal never declares and cannot write exactly (a blob, an interval, an array).
    public func healType(_ declared: String) -> ColumnType? {
        let t = declared.lowercased()
        switch self {
        case .sqlite:
            if t.isEmpty { return .string }
            if t.hasPrefix("bool") { return .boolean }
            if t.hasPrefix("timestamp") || t.hasPrefix("datetime") { return .timestamp }
            if t == "date" { return .date }
            if t.contains("int") { return .integer }
            if t.contains("char") || t.contains("clob") || t.contains("text") { return .string }
            if t.contains("real") || t.contains("floa") || t.contains("doub") || t.hasPrefix("numeric") || t.hasPrefix("decimal") {
                return .decimal
            }
            return nil
        case .postgres:
            if ["bigint", "integer", "smallint"].contains(t) { return .integer }
            if t.hasPrefix("numeric") || t == "real" || t == "double precision" { return .decimal }
            if t == "boolean" { return .boolean }
            if t == "date" { return .date }
            if t.hasPrefix("timestamp") { return .timestamp }
            if t == "text" || t.hasPrefix("character") { return .string }
            return nil
        }
    }

    /// Whether a declared timestamp type holds instants (with a time zone): values are written in UTC.
    public func holdsInstants(_ declared: String) -> Bool {
        let t = declared.lowercased()
        return t == "timestamptz" || t.contains("with time zone") && !t.contains("without")
    }
}

extension ColumnSpec {
    /// A timestamp column whose values carry a UTC offset (a format with `X`, or `auto`, which reads offsets):
    /// it is an instant, declared `timestamptz`; without one it is a wall-clock time, declared `timestamp`.
    var keepsOffset: Bool {
        guard type == .timestamp else { return false }
        return autoDates || formats.isEmpty || formats.contains { $0.hasOffset }
    }
}
