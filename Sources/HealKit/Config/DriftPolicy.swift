import Foundation

/// Which departures from a column's history the quality step raises as `drift`, and how loudly:
/// `drift: { columns: [...], shape: fail, range: fail, nulls: warn, values: warn, lookup_match: fail }`.
public struct DriftPolicy: Sendable, Equatable {
    public enum Level: String, Sendable, CaseIterable {
        /// The step fails with `drift`: by default an alert and nothing loaded.
        case fail
        /// The run goes on and a warning alert names the departure.
        case warn
        case off
    }

    /// The closed set of comparisons a profile allows.
    public enum Check: String, Sendable, CaseIterable {
        /// Values of a shape history never had (`C9999999` where it had `P99999`).
        case shape
        /// A number's (or a date's) median outside the middle 80 % of its history.
        case range
        /// A null share well above history's highest.
        case nulls
        /// A value a low-cardinality column never had.
        case values
        /// A lookup key matching the enrichment table much less often than it did.
        case lookupMatch = "lookup_match"
    }

    public static let defaults: [Check: Level] = [.shape: .fail, .range: .fail, .nulls: .warn, .values: .warn, .lookupMatch: .fail]

    /// False with `drift: off`.
    public var enabled = true
    /// The watched columns; nil watches every contract column the file has.
    public var columns: [String]?
    public var levels = DriftPolicy.defaults
    public var perColumn: [String: [Check: Level]] = [:]
    /// The baseline: this many accepted days before the run's date.
    public var history = 7
    /// Fewer accepted days than this and the watch says so and judges nothing (a repair's gate needs one).
    public var minDays = 3

    public init() {}

    public func level(_ check: Check, for column: String) -> Level {
        guard enabled else { return .off }
        return perColumn[column]?[check] ?? levels[check] ?? .off
    }

    public func watches(_ column: String) -> Bool {
        enabled && (columns?.contains(column) ?? true)
    }
}
