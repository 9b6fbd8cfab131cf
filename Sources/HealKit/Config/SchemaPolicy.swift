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
