import Foundation

extension RunPass {
    /// How a run ends, and the rows it counts.
    struct Verdict {
        var status: RunStatus
        var error: String?
        var partialBecause: String?
        var rows: RunSummary.Rows
    }

    /// Its outcome if the run stopped; skipped when every counted source was; failed when a source's accounting does
    /// not balance; partial past the quarantine threshold; else healed or succeeded. The run's rows are its loaded
    /// sources' rows; reference tables balance on their own.
    mutating func verdict() async -> Verdict {
        let counted = chains.loaded.isEmpty ? chains.sources : chains.sources.filter { chains.loaded.contains($0) }
        let active = counted.filter { skipped[$0] == nil }
        var rows = RunSummary.Rows()
        for source in active { rows.add(walk.rowsBySource[source] ?? .init()) }
        if let outcome { return Verdict(status: outcome.status, error: outcome.error, rows: rows) }
        if active.isEmpty { return Verdict(status: .skipped, error: counted.first.flatMap { skipped[$0] }, rows: RunSummary.Rows()) }
        if let unbalanced = chains.sources.compactMap(imbalance(of:)).first {
            await walk.raise(step: "accounting", skill: "accounting", failure: .internal, summary: unbalanced, trace: [])
            return Verdict(status: .failed, error: unbalanced, rows: rows)
        }
        let share = rows.read > 0 ? Double(rows.quarantined) / Double(rows.read) * 100 : 0
        if share > playbook.thresholds.quarantineWarnPct {
            let because =
                "\(rows.quarantined) of \(Noun.count(rows.read, "row")) quarantined (\(String(format: "%.1f", share)) %), above thresholds.quarantine_warn_pct \(ReportMarkdown.figure(playbook.thresholds.quarantineWarnPct)) % in \(playbook.file)"
            return Verdict(status: .partial, partialBecause: because, rows: rows)
        }
        return Verdict(status: healed ? .healed : .succeeded, rows: rows)
    }

    /// Why a source's rows do not add up (`read = loaded or passed + quarantined + deduplicated + updated`), or nil.
    func imbalance(of source: String) -> String? {
        guard skipped[source] == nil, let r = walk.rowsBySource[source], walk.counted(source) || chains.loaded.contains(source) else {
            return nil
        }
        let loads = chains.loaded.contains(source)
        let passed = loads ? r.loaded : (chains.steps(of: source).last.flatMap { after[playbook.steps[$0].name]?.rows } ?? 0)
        guard r.read != passed + r.quarantined + r.deduplicated + r.updated else { return nil }
        let of = chains.sources.count > 1 ? " for source \(source)" : ""
        return
            "row accounting does not balance\(of): read \(r.read) ≠ \(loads ? "loaded" : "passed") \(passed) + quarantined \(r.quarantined) + deduplicated \(r.deduplicated) + updated \(r.updated)"
    }

    /// What the end of a run writes: the watermarks of sources without a load, the day's profiles as history,
    /// escalations and resolutions, the quarantine it supersedes, the run row and the metrics file; then its summary.
    mutating func finish(_ verdict: Verdict) async throws -> RunSummary {
        let date = context.date.description
        let good = [.succeeded, .healed, .partial].contains(verdict.status)
        if good {
            for source in chains.sources where !chains.loaded.contains(source) { try commitWatermarks(of: source) }
            // The day's values are history now: what the drift watch and repairs' gates judge later days on.
            try store.acceptProfiles(run: runID, pipeline: playbook.name, date: date)
        }
        if verdict.status != .skipped && verdict.status != .interrupted { await walk.escalateRecurring() }
        if good { await walk.announceResolved(status: verdict.status) }
        if verdict.status == .interrupted, let error = verdict.error {
            // Stopped from outside (a scheduler's SIGTERM): nothing is wrong with the data, but the day is not done.
            await walk.raise(step: "run", skill: "signal", failure: nil, summary: error, trace: [], severity: .warning)
        }
        let superseding = chains.sources.filter(committedSources.contains).flatMap { chains.steps(of: $0) }
            .map { playbook.steps[$0].name }.filter(ranSteps.contains)
        if !superseding.isEmpty {
            try store.supersedeQuarantine(pipeline: playbook.name, date: date, steps: superseding, by: runID)
        }
        CrashPoint.reach("run-finish")
        record.status = verdict.status
        record.finishedAt = Timestamp.now()
        record.rowsRead = verdict.rows.read
        record.rowsLoaded = verdict.rows.loaded
        record.rowsQuarantined = verdict.rows.quarantined
        record.rowsDeduplicated = verdict.rows.deduplicated
        record.rowsUpdated = verdict.rows.updated
        record.error = verdict.error
        try store.updateRun(record)
        executor.cleanStaging(playbook: playbook, runID: runID, date: context.date)
        // The metrics page for node_exporter's textfile collector; a failure to write it never fails the run.
        try? PrometheusMetrics.write(store, to: context.home.metricsFile)
        var summary = RunSummary(
            runID: runID,
            pipeline: playbook.name,
            date: date,
            status: verdict.status,
            rows: verdict.rows,
            steps: stepSummaries,
            alerts: walk.alerts,
            error: verdict.error,
            sources: chains.sources.count > 1 ? chains.sources.map(sourceSummary) : nil
        )
        summary.partialBecause = verdict.partialBecause
        return summary
    }

    func sourceSummary(_ source: String) -> RunSummary.SourceSummary {
        let role: SourceRole = skipped[source] != nil ? .skipped : chains.loaded.contains(source) ? .loaded : .reference
        return .init(name: source, role: role, rows: walk.rowsBySource[source] ?? .init(), note: skipped[source])
    }
}
