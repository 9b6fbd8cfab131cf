import Foundation

/// `heal quarantine release`: quarantined rows, as they were or as a reviewer edited them, go back through the
/// pipeline's own checks and transforms from the step that quarantined them; those that pass are loaded once,
/// under a ledger entry of their own, and the rest stay in quarantine.
public struct QuarantineRelease: Sendable {
    public let review: QuarantineReview
    public let config: ProjectConfig

    public init(review: QuarantineReview, config: ProjectConfig) {
        self.review = review
        self.config = config
    }

    public struct Report: Sendable, Codable {
        public var batch: String
        public var runID: String
        public var status: RunStatus
        /// Rows offered for release, rows loaded, rows that failed a check again (still open), duplicates dropped.
        public var candidates: Int
        public var loaded: Int
        public var kept: Int
        public var deduplicated: Int
        /// Why kept rows failed, by source line.
        public var failures: [Int: String]
        public var steps: [String]

        enum CodingKeys: String, CodingKey {
            case batch, status, candidates, loaded, kept, deduplicated, failures, steps
            case runID = "run_id"
        }
    }

    /// `lines` picks rows by their source line (default: every open row); `edited` is an exported CSV with
    /// `_source_line` and the row's columns, changed by hand.
    /// `set` puts one value into a column of every released row: the common one-field fix, with no file to edit.
    public func release(
        _ batchID: String,
        lines: Set<Int>? = nil,
        edited: URL? = nil,
        set: [(column: String, value: String)] = [],
        actor: String
    ) async throws -> Report {
        let store = review.store
        let batch = try review.batch(batchID)
        try review.requireCurrent(batch)
        guard let playbook = config.playbooks[batch.pipeline] else {
            throw QuarantineReviewError("batch \(batch.id) came from pipeline '\(batch.pipeline)', which has no playbook in playbooks/ now")
        }
        guard let first = playbook.steps.firstIndex(where: { $0.name == batch.step }) else {
            throw QuarantineReviewError(
                "batch \(batch.id) came from step '\(batch.step)', which playbooks/\(batch.pipeline).yml no longer has"
            )
        }
        let (header, candidates) = try self.candidates(of: batch, lines: lines, edited: edited, set: set)
        let runID = "release-" + RunID.make(Date())
        let context = RunContext(
            home: review.home,
            playbook: playbook,
            runID: runID,
            date: CalendarDate.parse(batch.logicalDate, format: DateFormat("yyyy-MM-dd")!)!,
            mode: .release,
            store: store,
            skillConfigs: config.skills
        )
        var record = RunRecord(
            id: runID,
            pipeline: batch.pipeline,
            logicalDate: batch.logicalDate,
            status: .running,
            startedAt: Timestamp.now(),
            rowsRead: candidates.count
        )
        record.kind = .release
        try store.insertRun(record)

        var replay: Replay
        do {
            let staged = try stage(candidates, header: header, from: first, in: context)
            replay = try await self.replay(staged, of: batch, from: first, in: context)
        } catch {
            await context.warehouses.close()
            record.error = "\(error)"
            record.status = .failed
            record.finishedAt = Timestamp.now()
            try store.updateRun(record)
            throw error
        }
        await context.warehouses.close()
        let releasedLines = try settle(&replay)
        if replay.status != .failed && !releasedLines.isEmpty {
            var detail = edited.map { "edited file \($0.lastPathComponent)" } ?? (lines == nil ? "all open rows" : "selected rows")
            if !set.isEmpty { detail += ", with " + set.map { "\($0.column)=\($0.value)" }.joined(separator: ", ") }
            _ = try store.recordQuarantineAction(
                QuarantineActionRecord(
                    batchId: batch.id,
                    action: .release,
                    actor: actor,
                    rows: releasedLines.count,
                    detail: detail,
                    runId: runID,
                    createdAt: Timestamp.now()
                ),
                lines: releasedLines
            )
        }
        let kept = replay.status == .failed ? candidates.count : candidates.count - releasedLines.count - replay.deduplicated
        if replay.status == .succeeded && kept > 0 {
            // Some rows are still wrong: partial when others went in, failed when none did.
            if replay.loaded == 0 {
                replay.status = .failed
                replay.error =
                    "every offered row failed a check again; they stay in quarantine (fix them in an export and release it with --file)"
            } else {
                replay.status = .partial
            }
        }
        record.status = replay.status
        record.finishedAt = Timestamp.now()
        record.rowsLoaded = replay.status == .failed ? 0 : replay.loaded
        record.rowsQuarantined = kept
        record.rowsDeduplicated = replay.status == .failed ? 0 : replay.deduplicated
        record.error = replay.error
        try store.updateRun(record)
        try? PrometheusMetrics.write(store, to: review.home.metricsFile)
        return Report(
            batch: batch.id,
            runID: runID,
            status: record.status,
            candidates: candidates.count,
            loaded: record.rowsLoaded,
            kept: kept,
            deduplicated: record.rowsDeduplicated,
            failures: replay.failures,
            steps: replay.steps
        )
    }

    /// An exported batch, edited: `_source_line` ties each row to the batch; other `_` columns are ignored;
    /// the row's columns must all be there (in any order).
    func editedRows(_ url: URL, header: [String], open: [Int: QuarantinedRow], only: Set<Int>?) throws -> [(line: Int, fields: [String])] {
        let reader = try Tables.open(url, format: try TableFormat.detect(url))
        let shown = url.path
        guard let lineColumn = reader.header.firstIndex(of: "_source_line") else {
            throw QuarantineReviewError("\(shown): no _source_line column; edit a file from heal quarantine export and keep that column")
        }
        let positions = try header.map { name in
            guard let i = reader.header.firstIndex(of: name) else {
                throw QuarantineReviewError(
                    "\(shown): column '\(name)' is missing; the batch's rows have \(header.joined(separator: ", "))"
                )
            }
            return i
        }
        var rows: [(line: Int, fields: [String])] = []
        var seen: Set<Int> = []
        try reader.forEachRow { row in
            guard let line = Int(row.string(lineColumn)) else {
                throw QuarantineReviewError("\(shown):\(row.line): _source_line '\(row.string(lineColumn))' is not a line number")
            }
            if let only, !only.contains(line) { return }
            guard open[line] != nil else {
                throw QuarantineReviewError(
                    "\(shown):\(row.line): source line \(line) is not an open row of this batch (already released or discarded?)"
                )
            }
            guard seen.insert(line).inserted else {
                throw QuarantineReviewError("\(shown):\(row.line): source line \(line) appears twice")
            }
            rows.append((line, positions.map { row.string($0) }))
        }
        return rows
    }
}

extension QuarantineReview {
    /// Each row of a check's rejects file: its source line and reason.
    func rows(ofRejects rejected: RejectedRows, _ body: (Int, String) -> Void) throws {
        let reader = try CSVReader(url: rejected.url)
        while let record = try reader.next() {
            if let line = Int(record.fields[0]) { body(line, record.fields[1]) }
        }
    }
}
