import Foundation

/// A batch as `heal quarantine list` reports it: the record's figures, the reason counts as an object (not JSON
/// in a string), and the counts of the rows still open, which change with every release and discard.
public struct QuarantineBatchSummary: Codable, Sendable {
    public var id: String
    public var runId: String
    public var pipeline: String
    public var logicalDate: String
    public var step: String
    public var path: String
    public var rows: Int
    public var open: Int
    public var released: Int
    public var discarded: Int
    public var status: QuarantineBatchStatus
    public var createdAt: String
    /// Rows by reason (`rule:column`) when the batch was made.
    public var reasons: [String: Int]
    /// The open rows by reason now.
    public var openReasons: [String: Int]

    enum CodingKeys: String, CodingKey {
        case id, pipeline, step, path, rows, open, released, discarded, status, reasons
        case runId = "run_id", logicalDate = "logical_date", createdAt = "created_at", openReasons = "open_reasons"
    }

    public init(_ batch: QuarantineBatchRecord, openReasons: [String: Int]) {
        id = batch.id
        runId = batch.runId
        pipeline = batch.pipeline
        logicalDate = batch.logicalDate
        step = batch.step
        path = batch.path
        rows = batch.rows
        open = batch.open
        released = batch.released
        discarded = batch.discarded
        status = batch.status
        createdAt = batch.createdAt
        reasons = batch.reasonCounts
        self.openReasons = openReasons
    }
}

extension QuarantineBatchRecord {
    /// The stored reason counts, decoded.
    public var reasonCounts: [String: Int] {
        reasons.decoded(as: [String: Int].self) ?? [:]
    }
}

extension QuarantineReview {
    /// The batch with its open rows counted by reason (read from its file only when some rows were acted on).
    public func summary(_ batch: QuarantineBatchRecord) throws -> QuarantineBatchSummary {
        guard batch.released + batch.discarded > 0 else { return QuarantineBatchSummary(batch, openReasons: batch.reasonCounts) }
        var open: [String: Int] = [:]
        try rows(of: batch) { row in
            if row.state == "open" { open[row.column.isEmpty ? row.rule : "\(row.rule):\(row.column)", default: 0] += 1 }
        }
        return QuarantineBatchSummary(batch, openReasons: open)
    }

    /// One row as a JSON object in the export's layout (`_source_line`, `_reason`, `_rule`, `_column`, `_value`,
    /// `_state`, and `row` by column name): what `show --json` prints and `export --format jsonl` writes.
    public static func jsonLine(_ r: QuarantinedRow, header: [String]) throws -> Data {
        var object: [String: Any] = [
            "_source_line": r.sourceLine, "_reason": r.reason, "_rule": r.rule, "_column": r.column,
            "_value": r.value, "_state": r.state,
        ]
        object["row"] = Dictionary(zip(header, r.fields), uniquingKeysWith: { first, _ in first })
        return try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
