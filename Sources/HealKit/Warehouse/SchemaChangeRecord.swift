import Foundation
import GRDB

/// A recorded change to a warehouse table's columns.
public struct SchemaChangeRecord: Sendable, Codable, Equatable {
    public var runID: String?
    public var pipeline: String
    public var date: String?
    /// The target as it may be shown (no password).
    public var target: String
    public var table: String
    public var change: SchemaChange
    public var createdAt: String

    enum CodingKeys: String, CodingKey {
        case pipeline, date, target, table, change
        case runID = "run_id", createdAt = "created_at"
    }
}
