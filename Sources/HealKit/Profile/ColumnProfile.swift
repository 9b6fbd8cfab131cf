import Foundation

/// A compact summary of one column's values on one day: what `metadata.db` keeps per pipeline, step and column
/// after an accepted load, and what the drift watch and the repair gate compare a file with.
public struct ColumnProfile: Codable, Sendable, Equatable {
    public var column: String
    public var type: ColumnType
    public var rows = 0
    public var nulls = 0
    /// Non-empty values that do not read as the column's type (only a file column judged as a contract column has any).
    public var misfits = 0
    /// Distinct non-empty values (a HyperLogLog estimate).
    public var distinct = 0
    public var minLength: Int?
    public var maxLength: Int?
    /// The commonest shapes (at most 16), and the values of any other shape or too long for one.
    public var shapes: [ValueShape] = []
    public var otherShapes = 0
    public var numbers: NumberSummary?
    /// Every value with its count, when there are at most `ColumnProfiler.valueCap` of them.
    public var values: [ValueCount]?
    public var lookup: LookupMatch?

    public init(column: String, type: ColumnType) {
        self.column = column
        self.type = type
    }

    public var nonNull: Int { rows - nulls }
    public var nullShare: Double { rows == 0 ? 0 : Double(nulls) / Double(rows) }
    public var distinctShare: Double { nonNull == 0 ? 0 : min(1, Double(distinct) / Double(nonNull)) }
    /// Whether the shapes describe the values: few shapes, not free text.
    public var shapesCover: Bool { nonNull > 0 && Double(otherShapes) / Double(nonNull) <= 0.02 && !shapes.isEmpty }

    enum CodingKeys: String, CodingKey {
        case column, type, rows, nulls, misfits, distinct, shapes, numbers, values, lookup
        case minLength = "min_length", maxLength = "max_length", otherShapes = "other_shapes"
    }
}

/// A numeric (or date, as days from the run's date) column's spread: exact min, max and mean, sketched quantiles.
public struct NumberSummary: Codable, Sendable, Equatable {
    public var count: Int
    public var min: Double
    public var max: Double
    public var mean: Double
    /// p05, p10, p25, p50, p75, p90, p95.
    public var quantiles: [Double]
    /// How many values had 0, 1, … 6 (or more) decimal places.
    public var places: [Int]

    public static let ranks = [0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95]
    public var p10: Double { quantiles[1] }
    public var median: Double { quantiles[3] }
    public var p90: Double { quantiles[5] }

    /// The places most values have.
    public var usualPlaces: Int { places.indices.max { places[$0] < places[$1] } ?? 0 }
}

public struct ValueCount: Codable, Sendable, Equatable {
    public var value: String
    public var count: Int
}

/// How many of a lookup key's values the enrichment table holds.
public struct LookupMatch: Codable, Sendable, Equatable {
    public var table: String
    public var checked: Int
    public var matched: Int

    public var share: Double { checked == 0 ? 1 : Double(matched) / Double(checked) }
}
