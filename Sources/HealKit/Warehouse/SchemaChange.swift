import Foundation

/// One change a load (or `heal table migrate`) made to a table's columns, recorded in metadata.db.
public struct SchemaChange: Sendable, Equatable, Codable {
    public enum Kind: String, Sendable, Codable, CaseIterable {
        case created, added, widened, retyped, dropped
    }

    public var kind: Kind
    public var column: String
    /// The declared type before (widened, retyped, dropped) and after (created, added, widened, retyped).
    public var from: String?
    public var to: String?
    /// Where the column came from: `declared in skills/sales-contract.yml`, `from the file, not in the contract`.
    public var source: String?

    public init(kind: Kind, column: String, from: String? = nil, to: String? = nil, source: String? = nil) {
        self.kind = kind
        self.column = column
        self.from = from
        self.to = to
        self.source = source
    }

    /// `added promo_code TEXT (from the file, not in the contract)`, `widened quantity INTEGER → NUMERIC`.
    public var summary: String {
        var out = "\(kind.rawValue) \(column)"
        switch kind {
        case .created, .added: out += " \(to ?? "")"
        case .widened, .retyped: out += " \(from ?? "?") → \(to ?? "?")"
        case .dropped: out += " (was \(from ?? "?"))"
        }
        if let source { out += " (\(source))" }
        return out
    }
}
