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
        var header: [String] = []
        var open: [Int: QuarantinedRow] = [:]
        var order: [Int] = []
        header = try review.rows(of: batch) { row in
            if row.state == "open" {
                open[row.sourceLine] = row
                order.append(row.sourceLine)
            }
        }
        if let lines { try review.requireOpen(lines, among: Set(open.keys), batch: batch) }
        var candidates: [(line: Int, fields: [String])] = order.filter { lines?.contains($0) ?? true }.map { ($0, open[$0]!.fields) }
        if let edited {
            candidates = try editedRows(edited, header: header, open: open, only: lines)
        }
        for (column, value) in set {
            guard let i = header.firstIndex(of: column) else {
                throw QuarantineReviewError("--set \(column)=…: " + ColumnLookup.missing(column, in: "the batch", among: header))
            }
            for k in candidates.indices { candidates[k].fields[i] = value }
        }
        guard !candidates.isEmpty else {
            throw QuarantineReviewError(
                "batch \(batch.id) has no open rows to release (\(batch.released) released, \(batch.discarded) discarded)"
            )
        }

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
        // A transform's {artifact.STEP} (an enrichment table) reads what the quarantining run fetched.
        var artifacts: [String: String] = [:]
        for record in try store.artifacts(run: batch.runId) {
            artifacts[record.step] = review.home.resolve(path: record.path).path
        }
        let chains = SourceChains(playbook: playbook, skills: config.skills)
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

        // The candidates as the step that quarantined them saw them, each with its original source line.
        let staged = context.stagingURL(stepIndex: first, name: "release-input")
        try FileManager.default.createDirectory(at: staged.deletingLastPathComponent(), withIntermediateDirectories: true)
        let writer = try CSVWriter(url: staged, header: header, carrySourceLines: true)
        for candidate in candidates { try writer.write(candidate.fields, sourceLine: candidate.line) }
        let digest = try writer.finish()
        var artifact = Artifact(url: staged, sha256: digest.sha256, bytes: digest.bytes, rows: candidates.count)
        // Rows quarantined after the schema step carry the types that step gave them, so the load sees the same columns.
        if let schemaStep = playbook.steps.indices.last(where: {
            $0 < first && chains.root[$0] == chains.root[first]
                && config.skills[playbook.steps[$0].skill]?.kind == ContractSpec.kind
        }),
            let schemaConfig = config.skills[playbook.steps[schemaStep].skill],
            let schema = try SkillFactory.skill(schemaConfig) as? any ContractChecking
        {
            artifact.columns = schema.typedColumns(header)
        }

        var failures: [Int: String] = [:]
        var steps: [String] = []
        var deduplicated = 0
        var loaded = 0
        var status = RunStatus.succeeded
        var error: String?
        do {
            // Only the steps of the source the rows came from; the playbook's other sources are not theirs.
            for (index, step) in playbook.steps.enumerated() where index >= first && chains.root[index] == chains.root[first] {
                guard let skillConfig = config.skills[step.skill] else { continue }
                let skill = try SkillFactory.skill(skillConfig)
                guard skill.isReplayedOnRelease else {
                    steps.append("\(step.name): not run for a release")
                    continue
                }
                let started = Date()
                var input = StepInput(stepIndex: index, stepName: step.name, artifact: artifact)
                input.sourceSHA256 = digest.sha256
                input.expectedLoadRows = skill is any Loading ? artifact.rows : nil
                input.artifacts = artifacts
                var result = try await skill.run(input, in: context)
                if result.outcome == .fail, let checking = skill as? any RowChecking, let rejected = result.rejected {
                    // Rows that fail again stay in quarantine; the rest go on.
                    try review.rows(ofRejects: rejected) { line, reason in failures[line] = reason }
                    var view = artifact
                    view.excluded = (artifact.excluded ?? RowSet()).union(rejected.rows)
                    view.rows = (result.rows.read ?? 0) - rejected.rows.count
                    result = try checking.recheck(view, after: result, input: input, in: context)
                    if result.artifact == nil { result.artifact = view }
                }
                try store.insertAttempt(
                    AttemptRecord(
                        runId: runID,
                        step: step.name,
                        skill: step.skill,
                        kind: skillConfig.kind,
                        level: 1,
                        attempt: 1,
                        outcome: result.outcome,
                        failureClass: result.failureClass,
                        details: result.details,
                        figures: "{}",
                        startedAt: Timestamp.string(started),
                        durationMs: Int(Date().timeIntervalSince(started) * 1000),
                        artifact: result.artifact.map { review.home.display($0.url) }
                    )
                )
                steps.append("\(step.name): \(result.outcome.rawValue) · \(result.details)")
                if result.outcome == .fail {
                    status = .failed
                    error = "\(step.name): \(result.failureClass?.rawValue ?? "failed"): \(result.details)"
                    break
                }
                deduplicated += result.rows.deduplicated
                if skill is any Loading {
                    if result.outcome == .skip {
                        status = .skipped
                    } else {
                        loaded += result.rows.loaded
                    }
                }
                if let next = result.artifact { artifact = next }
                if (artifact.rows ?? 1) == 0 { break }
            }
        } catch {
            await context.warehouses.close()
            record.error = "\(error)"
            record.status = .failed
            record.finishedAt = Timestamp.now()
            try store.updateRun(record)
            throw error
        }
        await context.warehouses.close()
        // The rows that reached the load are released; when it was skipped they were released before.
        var releasedLines: [Int] = []
        if status == .succeeded || status == .skipped {
            let reader = try Tables.open(artifact)
            try reader.forEachRow { releasedLines.append($0.line) }
        }
        if status == .succeeded && loaded != releasedLines.count {
            status = .failed
            error = "row accounting does not balance: \(Noun.count(releasedLines.count, "row")) reached the load but \(loaded) were loaded"
        }
        if status != .failed && !releasedLines.isEmpty {
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
        let kept = status == .failed ? candidates.count : candidates.count - releasedLines.count - deduplicated
        if status == .succeeded && kept > 0 {
            // Some rows are still wrong: partial when others went in, failed when none did.
            if loaded == 0 {
                status = .failed
                error = "every offered row failed a check again; they stay in quarantine (fix them in an export and release it with --file)"
            } else {
                status = .partial
            }
        }
        record.status = status
        record.finishedAt = Timestamp.now()
        record.rowsLoaded = status == .failed ? 0 : loaded
        record.rowsQuarantined = kept
        record.rowsDeduplicated = status == .failed ? 0 : deduplicated
        record.error = error
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
            failures: failures,
            steps: steps
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
