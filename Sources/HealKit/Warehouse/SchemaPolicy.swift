import Foundation

/// What a load may do when the data and the table disagree, set on the load skill in the spirit of dlt's schema
/// contracts. The contract defines the table; these say what happens around it.
public struct SchemaPolicy: Sendable, Equatable {
    /// A file's column outside the contract.
    public enum NewColumns: String, Sendable, CaseIterable {
        /// Reported in the run's details, not loaded.
        case ignore
        /// Added to the table, typed from the file's values.
        case evolve
        /// The load fails before it writes.
        case fail
    }

    /// An optional contract column the file does not have.
    public enum MissingColumns: String, Sendable, CaseIterable {
        case null, fail
    }

    /// A column whose data needs a wider type than the table's.
    public enum TypeChanges: String, Sendable, CaseIterable {
        case fail
        /// integer → decimal → text, date → timestamp → text: the column is retyped in the load's transaction.
        case widen
    }

    public var newColumns: NewColumns = .ignore
    public var missingColumns: MissingColumns = .null
    public var typeChanges: TypeChanges = .fail

    public init() {}
}

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
