import Foundation

/// One quarantined row as a reviewer sees it: where it came from, why it was set aside, its fields, and what
/// became of it.
public struct QuarantinedRow: Sendable, Codable, Equatable {
    public var sourceLine: Int
    public var reason: String
    public var rule: String
    public var column: String
    public var value: String
    /// `open`, `released` or `discarded`.
    public var state: String
    public var fields: [String]

    enum CodingKeys: String, CodingKey {
        case reason, rule, column, value, state, fields
        case sourceLine = "source_line"
    }
}

/// A problem a reviewer can fix: an unknown batch, a missing file, an edited file that does not fit.
public struct QuarantineReviewError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// `heal quarantine …`: list, read, export and discard quarantined rows; every action recorded with who and when.
public struct QuarantineReview: Sendable {
    public let home: HealHome
    public let store: MetadataStore

    public init(home: HealHome, store: MetadataStore) {
        self.home = home
        self.store = store
    }

    /// A batch by id or unique prefix.
    public func batch(_ id: String) throws -> QuarantineBatchRecord {
        let found = try store.quarantineBatch(matching: id)
        guard found.count == 1 else {
            throw QuarantineReviewError(
                found.isEmpty
                    ? "no quarantine batch '\(id)'; list them with heal quarantine list"
                    : "'\(id)' matches \(Noun.count(found.count, "batch", plural: "batches")) (\(found.map(\.id).joined(separator: ", "))); give more of the id"
            )
        }
        return found[0]
    }

    /// The row columns of a batch (after quarantine's leading columns), and each row that `reason` selects, in file order.
    /// `reason` matches a rule (`not_null`), a rule and column (`not_null:amount`) or words of the reason text.
    @discardableResult
    public func rows(
        of batch: QuarantineBatchRecord,
        reason: String? = nil,
        limit: Int? = nil,
        _ body: (QuarantinedRow) throws -> Void
    ) throws -> [String] {
        let url = home.resolve(path: batch.path)
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw QuarantineReviewError("the file of batch \(batch.id) is missing: \(batch.path)")
        }
        let states = try store.quarantineRowStates(batch: batch.id)
        let reader = try CSVReader(url: url)
        let lead = QuarantineBatch.leadingColumns.count
        guard Array(reader.header.prefix(lead)) == QuarantineBatch.leadingColumns else {
            throw QuarantineReviewError(
                "\(batch.path) is not a quarantine file: its header should start with \(QuarantineBatch.leadingColumns.joined(separator: ","))"
            )
        }
        var shown = 0
        while let record = try reader.next() {
            if let limit, shown >= limit { break }
            let f = record.fields
            guard f.count >= lead, let line = Int(f[0]) else {
                throw QuarantineReviewError("\(batch.path):\(record.line): expected a source line number in the first field")
            }
            let row = QuarantinedRow(
                sourceLine: line,
                reason: f[1],
                rule: f[2],
                column: f[3],
                value: f[4],
                state: states[line] ?? "open",
                fields: Array(f.dropFirst(lead))
            )
            if let reason, !QuarantineReview.matches(row, reason) { continue }
            shown += 1
            try body(row)
        }
        return Array(reader.header.dropFirst(lead))
    }

    static func matches(_ row: QuarantinedRow, _ filter: String) -> Bool {
        filter == row.rule || filter == "\(row.rule):\(row.column)" || row.reason.localizedCaseInsensitiveContains(filter)
    }

    public enum ExportFormat: String, Sendable, CaseIterable {
        case csv, jsonl
    }

    /// Every row of the batch with its state: CSV in quarantine's layout plus `_state`, or JSON Lines with the
    /// row's fields by column name. A CSV export, edited, is what `release --file` takes back.
    public func export(_ batch: QuarantineBatchRecord, format: ExportFormat, to output: URL) throws -> Int {
        // Row by row, so a large batch is never held in memory.
        let header = try Array(CSVReader(url: home.resolve(path: batch.path)).header.dropFirst(QuarantineBatch.leadingColumns.count))
        var count = 0
        switch format {
        case .csv:
            let writer = try CSVWriter(url: output, header: QuarantineBatch.leadingColumns + ["_state"] + header)
            try rows(of: batch) { r in
                try writer.write([String(r.sourceLine), r.reason, r.rule, r.column, r.value, r.state] + r.fields)
                count += 1
            }
            _ = try writer.finish()
        case .jsonl:
            _ = FileManager.default.createFile(atPath: output.path, contents: nil)
            let handle = try FileHandle(forWritingTo: output)
            defer { try? handle.close() }
            try rows(of: batch) { r in
                var line = try QuarantineReview.jsonLine(r, header: header)
                line.append(UInt8(ascii: "\n"))
                try handle.write(contentsOf: line)
                count += 1
            }
        }
        return count
    }

    /// A batch a later run of the same day superseded is history: acting on it would release rows twice.
    func requireCurrent(_ batch: QuarantineBatchRecord) throws {
        guard batch.status == .superseded else { return }
        throw QuarantineReviewError(
            "batch \(batch.id) was superseded: a later run of \(batch.pipeline) loaded \(batch.logicalDate) and quarantined that day's rows in a batch of its own; act on that one (heal quarantine list --pipeline \(batch.pipeline) --since \(batch.logicalDate))"
        )
    }

    /// Marks every open row of the batch discarded, with the reviewer's reason. The rows stay in the file for the record.
    /// `lines` picks rows by source line (default: every open row).
    public func discard(
        _ batch: QuarantineBatchRecord,
        reason: String,
        actor: String,
        lines: Set<Int>? = nil
    ) throws -> QuarantineActionRecord {
        try requireCurrent(batch)
        guard !reason.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw QuarantineReviewError("say why the rows are discarded: --reason TEXT")
        }
        var open: [Int] = []
        try rows(of: batch) { if $0.state == "open" { open.append($0.sourceLine) } }
        if let lines {
            try requireOpen(lines, among: Set(open), batch: batch)
            open = open.filter(lines.contains)
        }
        guard !open.isEmpty else {
            throw QuarantineReviewError("batch \(batch.id) has no open rows (\(batch.released) released, \(batch.discarded) discarded)")
        }
        let action = QuarantineActionRecord(
            batchId: batch.id,
            action: .discard,
            actor: actor,
            rows: open.count,
            detail: reason,
            runId: nil,
            createdAt: Timestamp.now()
        )
        return try store.recordQuarantineAction(action, lines: open)
    }

    /// Every line given must be an open row of the batch: a typo never acts on nothing in silence.
    func requireOpen(_ lines: Set<Int>, among open: Set<Int>, batch: QuarantineBatchRecord) throws {
        let unknown = lines.subtracting(open).sorted()
        guard !unknown.isEmpty else { return }
        throw QuarantineReviewError(
            "source line\(unknown.count > 1 ? "s" : "") \(unknown.map(String.init).joined(separator: ", ")) \(unknown.count > 1 ? "are" : "is") not an open row of batch \(batch.id) (see heal quarantine show \(batch.id))"
        )
    }

    /// Who is acting: `HEAL_ACTOR` (a CI job can name itself), else the login name.
    public static func actor(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let name = environment["HEAL_ACTOR"] ?? environment["USER"] ?? environment["LOGNAME"], !name.isEmpty { return name }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid \(getuid())"
    }
}
