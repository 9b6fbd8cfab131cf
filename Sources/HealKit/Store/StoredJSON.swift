import Foundation
import GRDB

/// A metadata.db column that holds JSON text (an attempt's figures, an alert's payload, a repair's mapping).
/// The database keeps the text; heal's JSON output shows the document itself, never JSON inside a JSON string.
public struct StoredJSON: Sendable, Hashable, Codable, DatabaseValueConvertible, ExpressibleByStringLiteral, CustomStringConvertible {
    public var text: String

    public init(_ text: String) { self.text = text }
    public init(stringLiteral text: String) { self.text = text }

    /// The JSON text of an encodable value, keys sorted so that equal values store equal text.
    public init<T: Encodable>(encoding value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        text = String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    public var description: String { text }

    // The database stores and reads the text as it is (GRDB prefers this over Codable).
    public var databaseValue: DatabaseValue { text.databaseValue }
    public static func fromDatabaseValue(_ dbValue: DatabaseValue) -> StoredJSON? {
        String.fromDatabaseValue(dbValue).map { StoredJSON($0) }
    }

    /// The document read as `T`, or nil when it is not one.
    public func decoded<T: Decodable>(as type: T.Type) -> T? { try? JSONDecoder().decode(type, from: Data(text.utf8)) }

    /// Printed as the document it holds; text that is not JSON stays a string.
    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        if let value = JSONValue(parsing: text) { try container.encode(value) } else { try container.encode(text) }
    }

    /// Reads heal's own output back: a document, or (older output) its text.
    public init(from decoder: Decoder) throws {
        let value = try decoder.singleValueContainer().decode(JSONValue.self)
        if case .string(let text) = value { self.init(text) } else { try self.init(encoding: value) }
    }
}
