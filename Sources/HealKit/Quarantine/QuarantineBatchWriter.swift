import Foundation

/// Writes one quarantine batch: `quarantine/PIPELINE/DATE/RUN.csv` with source line, reason, rule, column and value
/// before the row's own fields, then indexes it in metadata.db.
final class QuarantineBatchWriter {
    static let leadingColumns = ["_source_line", "_reason", "_rule", "_column", "_value"]

    let url: URL
    let batchID: String
    private let writer: CSVWriter
    private(set) var reasons: [String: Int] = [:]

    init(context: RunContext, header: [String]) throws {
        let folder = context.home.quarantine.appendingPathComponent(context.pipeline).appendingPathComponent(context.date.description)
        var url = folder.appendingPathComponent("\(context.runID).csv")
        var n = 1
        while FileManager.default.fileExists(atPath: url.path) {
            n += 1
            url = folder.appendingPathComponent("\(context.runID)-\(n).csv")
        }
        self.url = url
        batchID = n == 1 ? context.runID : "\(context.runID)-\(n)"
        writer = try CSVWriter(url: url, header: QuarantineBatchWriter.leadingColumns + header)
    }

    var rows: Int { writer.rows }

    func write(_ record: CSVRecord, _ violation: Violation) throws {
        let key = violation.column.isEmpty ? violation.rule : "\(violation.rule):\(violation.column)"
        reasons[key, default: 0] += 1
        try writer.write([String(record.line), violation.reason, violation.rule, violation.column, violation.value] + record.fields)
    }

    /// Publishes the file and records the batch.
    func finish(step: String, context: RunContext) throws {
        try writer.finish()
        let reasonsJSON = String(decoding: try JSONSerialization.data(withJSONObject: reasons, options: [.sortedKeys]), as: UTF8.self)
        try context.store.insertQuarantineBatch(QuarantineBatchRecord(
            id: batchID, runId: context.runID, pipeline: context.pipeline, logicalDate: context.date.description,
            step: step, path: context.home.display(url), rows: writer.rows, reasons: reasonsJSON, status: "open",
            createdAt: Timestamp.now()))
    }
}
