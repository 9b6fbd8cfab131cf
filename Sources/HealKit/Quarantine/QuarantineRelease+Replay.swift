import Foundation

extension QuarantineRelease {
    /// What replaying the steps did to the released rows.
    struct Replay {
        var artifact: Artifact
        var failures: [Int: String] = [:]
        var steps: [String] = []
        var deduplicated = 0
        var loaded = 0
        var status = RunStatus.succeeded
        var error: String?
    }

    /// The open rows to release (all, the `lines` picked, or an edited export), with `set`'s values put in.
    func candidates(
        of batch: QuarantineBatchRecord,
        lines: Set<Int>?,
        edited: URL?,
        set: [(column: String, value: String)]
    ) throws -> (header: [String], rows: [(line: Int, fields: [String])]) {
        var open: [Int: QuarantinedRow] = [:]
        var order: [Int] = []
        let header = try review.rows(of: batch) { row in
            if row.state == "open" {
                open[row.sourceLine] = row
                order.append(row.sourceLine)
            }
        }
        if let lines { try review.requireOpen(lines, among: Set(open.keys), batch: batch) }
        var candidates = order.filter { lines?.contains($0) ?? true }.map { (line: $0, fields: open[$0]!.fields) }
        if let edited { candidates = try editedRows(edited, header: header, open: open, only: lines) }
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
        return (header, candidates)
    }

    /// The candidates as the step that quarantined them saw them, each with its original source line; rows
    /// quarantined after the schema step carry the types that step gave them, so the load sees the same columns.
    func stage(
        _ candidates: [(line: Int, fields: [String])],
        header: [String],
        from first: Int,
        in context: RunContext
    ) throws -> Artifact {
        let staged = context.stagingURL(stepIndex: first, name: "release-input")
        try FileManager.default.createDirectory(at: staged.deletingLastPathComponent(), withIntermediateDirectories: true)
        let writer = try CSVWriter(url: staged, header: header, carrySourceLines: true)
        for candidate in candidates { try writer.write(candidate.fields, sourceLine: candidate.line) }
        let digest = try writer.finish()
        var artifact = Artifact(url: staged, sha256: digest.sha256, bytes: digest.bytes, rows: candidates.count)
        let playbook = context.playbook
        let chains = SourceChains(playbook: playbook, skills: config.skills)
        if let schemaStep = playbook.steps.indices.last(where: {
            $0 < first && chains.root[$0] == chains.root[first] && config.skills[playbook.steps[$0].skill]?.kind == ContractSpec.kind
        }),
            let schemaConfig = config.skills[playbook.steps[schemaStep].skill],
            let schema = try SkillFactory.skill(schemaConfig) as? any ContractChecking
        {
            artifact.columns = schema.typedColumns(header)
        }
        return artifact
    }

    /// The source's steps from the one that quarantined the rows, those a release replays: rows that fail a check
    /// again stay in quarantine and the rest go on; each step is an attempt of the release run.
    func replay(_ staged: Artifact, of batch: QuarantineBatchRecord, from first: Int, in context: RunContext) async throws -> Replay {
        let playbook = context.playbook
        let chains = SourceChains(playbook: playbook, skills: config.skills)
        // A transform's {artifact.STEP} (an enrichment table) reads what the quarantining run fetched.
        var artifacts: [String: String] = [:]
        for record in try review.store.artifacts(run: batch.runId) {
            artifacts[record.step] = review.home.resolve(path: record.path).path
        }
        var replay = Replay(artifact: staged)
        // Only the steps of the source the rows came from; the playbook's other sources are not theirs.
        for (index, step) in playbook.steps.enumerated() where index >= first && chains.root[index] == chains.root[first] {
            guard let skillConfig = config.skills[step.skill] else { continue }
            let skill = try SkillFactory.skill(skillConfig)
            guard skill.isReplayedOnRelease else {
                replay.steps.append("\(step.name): not run for a release")
                continue
            }
            let started = Date()
            var input = StepInput(stepIndex: index, stepName: step.name, artifact: replay.artifact)
            input.sourceSHA256 = staged.sha256
            input.expectedLoadRows = skill is any Loading ? replay.artifact.rows : nil
            input.artifacts = artifacts
            var result = try await skill.run(input, in: context)
            if result.outcome == .fail, let checking = skill as? any RowChecking, let rejected = result.rejected {
                try review.rows(ofRejects: rejected) { line, reason in replay.failures[line] = reason }
                var view = replay.artifact
                view.excluded = (replay.artifact.excluded ?? RowSet()).union(rejected.rows)
                view.rows = (result.rows.read ?? 0) - rejected.rows.count
                result = try checking.recheck(view, after: result, input: input, in: context)
                if result.artifact == nil { result.artifact = view }
            }
            try review.store.insertAttempt(
                AttemptRecord(
                    runId: context.runID,
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
            replay.steps.append("\(step.name): \(result.outcome.rawValue) · \(result.details)")
            if result.outcome == .fail {
                replay.status = .failed
                replay.error = "\(step.name): \(result.failureClass?.rawValue ?? "failed"): \(result.details)"
                break
            }
            replay.deduplicated += result.rows.deduplicated
            if skill is any Loading {
                if result.outcome == .skip { replay.status = .skipped } else { replay.loaded += result.rows.loaded }
            }
            if let next = result.artifact { replay.artifact = next }
            if (replay.artifact.rows ?? 1) == 0 { break }
        }
        return replay
    }

    /// The rows that reached the load are released (when it was skipped, they were released before); the load
    /// must have taken exactly those.
    func settle(_ replay: inout Replay) throws -> [Int] {
        var releasedLines: [Int] = []
        if replay.status == .succeeded || replay.status == .skipped {
            try Tables.open(replay.artifact).forEachRow { releasedLines.append($0.line) }
        }
        if replay.status == .succeeded && replay.loaded != releasedLines.count {
            replay.status = .failed
            replay.error =
                "row accounting does not balance: \(Noun.count(releasedLines.count, "row")) reached the load but \(replay.loaded) were loaded"
        }
        return releasedLines
    }
}
