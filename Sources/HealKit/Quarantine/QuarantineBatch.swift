import Foundation

/// One quarantine batch: `quarantine/PIPELINE/DATE/RUN.csv` with source line, reason, rule, column and value
/// before the row's own fields, indexed in metadata.db.
enum QuarantineBatch {
    static let leadingColumns = ["_source_line", "_reason", "_rule", "_column", "_value"]

    /// Moves a check's rejects file into the quarantine folder and records the batch; returns where it went.
    static func publish(_ rejected: RejectedRows, step: String, context: RunContext) throws -> URL {
        let folder = context.home.quarantine.appendingPathComponent(context.pipeline).appendingPathComponent(context.date.description)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var url = folder.appendingPathComponent("\(context.runID).csv")
        var n = 1
        while FileManager.default.fileExists(atPath: url.path) {
            n += 1
            url = folder.appendingPathComponent("\(context.runID)-\(n).csv")
        }
        // A crash never leaves half a batch under its real name.
        try AtomicFile.copy(rejected.url, to: url)
        let reasonsJSON = try StoredJSON(encoding: rejected.reasons)
        try context.store.insertQuarantineBatch(
            QuarantineBatchRecord(
                id: n == 1 ? context.runID : "\(context.runID)-\(n)",
                runId: context.runID,
                pipeline: context.pipeline,
                logicalDate: context.date.description,
                step: step,
                path: context.home.display(url),
                rows: rejected.rows.count,
                reasons: reasonsJSON,
                status: .open,
                createdAt: Timestamp.now()
            )
        )
        return url
    }
}
