import Foundation

/// One declarative repair operation: the only things a proposer (a model included) may ask for.
public enum RepairOperation: Sendable, Equatable, CustomStringConvertible {
    case rename(from: String, to: String)
    case cast(column: String, type: ColumnType, format: String)
    case defaultValue(column: String, value: String)
    case drop(column: String)

    public var description: String {
        switch self {
        case .rename(let from, let to): return "rename \(from) → \(to)"
        case .cast(let column, let type, let format): return "cast \(column) as \(type.rawValue) from \(format)"
        case .defaultValue(let column, let value): return "default \(column) = '\(value)'"
        case .drop(let column): return "drop \(column)"
        }
    }

    var json: [String: Any] {
        switch self {
        case .rename(let from, let to): return ["op": "rename", "from": from, "to": to]
        case .cast(let column, let type, let format): return ["op": "cast", "column": column, "type": type.rawValue, "format": format]
        case .defaultValue(let column, let value): return ["op": "default", "column": column, "value": value]
        case .drop(let column): return ["op": "drop", "column": column]
        }
    }
}

/// A column mapping proposal: operations plus how sure the proposer is and why.
public struct SchemaRepair: Sendable, Equatable {
    /// The types a cast may target: the ones RepairApplier knows how to convert.
    public static let castable: [ColumnType] = [.date, .decimal, .integer]

    public var operations: [RepairOperation]
    public var confidence: Double?
    public var rationale: String?

    public init(operations: [RepairOperation], confidence: Double? = nil, rationale: String? = nil) {
        self.operations = operations
        self.confidence = confidence
        self.rationale = rationale
    }

    public var summary: String { operations.map(\.description).joined(separator: "; ") }

    public var jsonText: String {
        var object: [String: Any] = ["operations": operations.map(\.json)]
        if let confidence { object["confidence"] = confidence }
        if let rationale { object["rationale"] = rationale }
        return String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data(), as: UTF8.self)
    }

    /// Parses untrusted JSON strictly: unknown keys, unknown operations or missing fields reject the whole proposal.
    public static func parse(_ object: Any) throws(RepairRejection) -> SchemaRepair {
        guard let map = object as? [String: Any] else { throw RepairRejection("the proposal is not a JSON object") }
        let allowed: Set<String> = ["operations", "confidence", "rationale"]
        if let extra = map.keys.first(where: { !allowed.contains($0) }) {
            throw RepairRejection("unexpected field '\(extra)' in the proposal")
        }
        guard let list = map["operations"] as? [Any] else { throw RepairRejection("the proposal has no operations list") }
        guard list.count <= 200 else { throw RepairRejection("the proposal has \(list.count) operations; at most 200") }
        var operations: [RepairOperation] = []
        for item in list {
            guard let op = item as? [String: Any], let kind = op["op"] as? String else {
                throw RepairRejection("an operation is not an object with an 'op'")
            }
            func text(_ key: String) throws(RepairRejection) -> String {
                guard let value = op[key] as? String, value.count <= 256 else {
                    throw RepairRejection("\(kind) needs a text '\(key)' of at most 256 characters")
                }
                return value
            }
            func only(_ keys: Set<String>) throws(RepairRejection) {
                if let extra = op.keys.first(where: { !keys.contains($0) && $0 != "op" }) {
                    throw RepairRejection("unexpected field '\(extra)' in \(kind)")
                }
            }
            switch kind {
            case "rename":
                try only(["from", "to"])
                operations.append(.rename(from: try text("from"), to: try text("to")))
            case "cast":
                try only(["column", "type", "format"])
                guard let type = ColumnType(rawValue: try text("type")), SchemaRepair.castable.contains(type) else {
                    throw RepairRejection(
                        "cast to a type the applier does not cast (it casts \(SchemaRepair.castable.map(\.rawValue).joined(separator: ", ")))"
                    )
                }
                let format = try text("format")
                guard CastReading(type: type, format: format) != nil else {
                    throw RepairRejection(
                        "cast format '\(format.prefix(60))' is not in the vocabulary (\(CastReading.vocabulary(for: type)))"
                    )
                }
                operations.append(.cast(column: try text("column"), type: type, format: format))
            case "default":
                try only(["column", "value"])
                operations.append(.defaultValue(column: try text("column"), value: try text("value")))
            case "drop":
                try only(["column"])
                operations.append(.drop(column: try text("column")))
            default:
                throw RepairRejection("unknown operation '\(kind.prefix(40))'; only rename, cast, default and drop are allowed")
            }
        }
        var confidence: Double?
        if let value = map["confidence"] {
            guard let number = value as? Double ?? (value as? NSNumber)?.doubleValue, (0...1).contains(number) else {
                throw RepairRejection("confidence must be a number from 0 to 1")
            }
            confidence = number
        }
        let rationale = (map["rationale"] as? String).map { String($0.prefix(300)) }
        return SchemaRepair(operations: operations, confidence: confidence, rationale: rationale)
    }

    /// A mapping as metadata.db keeps it.
    public static func parse(_ stored: StoredJSON) throws(RepairRejection) -> SchemaRepair { try parse(jsonText: stored.text) }

    public static func parse(jsonText: String) throws(RepairRejection) -> SchemaRepair {
        guard let object = try? JSONSerialization.jsonObject(with: Data(jsonText.utf8)) else { throw RepairRejection("not JSON") }
        return try parse(object)
    }
}

/// Why a proposal was not accepted.
public struct RepairRejection: Error, CustomStringConvertible, Sendable {
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}
