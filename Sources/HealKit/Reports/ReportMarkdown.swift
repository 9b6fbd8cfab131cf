import Foundation

/// The weekly report as Markdown, for a chat message or a pull request.
public enum ReportMarkdown {
    public static func render(_ r: WeeklyReport) -> String {
        var out = "# heal weekly report · \(r.period.label)\(r.pipeline.map { " · \($0)" } ?? "")\n\n"
        let reruns = r.reruns > 0 ? " (\(Noun.count(r.reruns, "re-run")) not counted: a day counts by its final run)" : ""
        out += "\(r.period.from) to \(r.period.to) · \(Noun.count(r.runs, "day")) run\(reruns) · " + statusLine(r.runsByStatus) + "\n\n"
        out += "## Runs by day\n\n| date | runs | read | loaded | quarantined |\n| --- | --- | ---: | ---: | ---: |\n"
        for d in r.days {
            out += "| \(d.date) | \(d.runs.isEmpty ? "—" : statusLine(d.runs)) | \(d.rowsRead) | \(d.rowsLoaded) | \(d.rowsQuarantined) |\n"
        }
        out += "\n## Failures by step and class\n\n"
        out +=
            r.failures.isEmpty
            ? "No step failed.\n"
            : "| pipeline | step | class | runs |\n| --- | --- | --- | ---: |\n"
                + r.failures.map { "| \($0.pipeline) | \($0.step) | \($0.failureClass) | \($0.runs) |\n" }.joined()
        out += "\n## Failure signatures\n\n"
        out +=
            r.signatures.isEmpty
            ? "None.\n"
            : "| pipeline/step | class | pattern | seen | healed | first | last | streak |\n| --- | --- | --- | ---: | ---: | --- | --- | ---: |\n"
                + r.signatures.map {
                    "| \($0.pipeline)/\($0.step) | \($0.failureClass) | \(cell($0.pattern)) | \($0.occurrences) | \($0.healed) | \($0.firstSeen) | \($0.lastSeen) | \($0.longestStreak)\($0.recurring ? " ⟳" : "") |\n"
                }.joined()
        out += "\n## Remediations\n\n"
        out +=
            r.remediations.isEmpty
            ? "None were needed.\n"
            : "| pipeline/step | remediation | for | tried | healed | rate |\n| --- | --- | --- | ---: | ---: | ---: |\n"
                + r.remediations.map {
                    "| \($0.pipeline)/\($0.step) | \($0.remediation) | \($0.failureClass) | \($0.tried) | \($0.healed) | \(percent($0.rate)) |\n"
                }.joined()
        out += "\n## Schema-repair proposers\n\n"
        out +=
            r.proposers.isEmpty
            ? "No proposals.\n"
            : "| proposer | proposals | accepted | rejected | pending | none | model calls (failed) | tokens in/out | median latency |\n| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
                + r.proposers.map {
                    "| \($0.proposer) | \($0.proposals) | \($0.accepted) | \($0.rejected) | \($0.pending) | \($0.none) | \($0.modelCalls) (\($0.failedCalls)) | \($0.inputTokens)/\($0.outputTokens) | \($0.medianLatencyMs) ms |\n"
                }.joined()
        out += "\n## Quarantined rows by reason\n\n"
        out +=
            r.quarantine.isEmpty
            ? "Nothing was quarantined.\n"
            : "| pipeline | reason | rows | by day | trend |\n| --- | --- | ---: | --- | --- |\n"
                + r.quarantine.map {
                    "| \($0.pipeline) | \($0.reason) | \($0.rows) | \($0.byDay.map(String.init).joined(separator: " ")) | \($0.trend) |\n"
                }.joined()
        out += "\n## Drift by column\n\n"
        out +=
            r.drift.isEmpty
            ? "No column left its history.\n"
            : "| pipeline/step | column | check | failed | warned | accepted | last | latest |\n| --- | --- | --- | ---: | ---: | ---: | --- | --- |\n"
                + r.drift.map {
                    "| \($0.pipeline)/\($0.step) | \(cell($0.column)) | \($0.check) | \($0.fails) | \($0.warnings) | \($0.accepted) | \($0.lastSeen) | \(cell($0.example)) |\n"
                }.joined()
        out += "\n## Schema changes\n\n"
        out +=
            r.schemaChanges.isEmpty
            ? "No table changed.\n"
            : "| pipeline | table | change | by | date |\n| --- | --- | --- | --- | --- |\n"
                + r.schemaChanges.map {
                    "| \($0.pipeline) | \(cell($0.table)) | \(cell($0.change.summary)) | \($0.runID.map { "run \($0)" } ?? "heal table migrate") | \($0.date ?? String($0.createdAt.prefix(10))) |\n"
                }.joined()
        if !r.trends.isEmpty {
            out +=
                "\n## Watched columns, day by day\n\n| pipeline/step | column | measure | by day | empty % by day |\n| --- | --- | --- | --- | --- |\n"
            out += r.trends.map { t in
                "| \(t.pipeline)/\(t.step) | \(cell(t.column)) | \(t.measure) | \(t.byDay.map(figure).joined(separator: " ")) | \(t.nullPctByDay.map(figure).joined(separator: " ")) |\n"
            }.joined()
        }
        out +=
            "\n## Time to heal\n\n\(r.timeToHeal.healedSteps) healed steps · median \(r.timeToHeal.medianMs) ms · longest \(r.timeToHeal.maxMs) ms\n"
        out += "\n## Suggestions\n\n" + (r.suggestions.isEmpty ? "None this week.\n" : r.suggestions.map { "- \($0)\n" }.joined())
        return out
    }

    static func statusLine(_ counts: [String: Int]) -> String {
        RunStatusOrder.sorted(counts).map { "\($0.value) \($0.key)" }.joined(separator: ", ")
    }

    /// A trend's figure: `254.82`, `99.8`, `—` for a day with no accepted profile.
    static func figure(_ x: Double?) -> String {
        guard let x else { return "—" }
        return x == x.rounded() ? String(Int(x)) : String(format: "%g", x)
    }

    static func percent(_ rate: Double) -> String { String(format: "%.0f%%", rate * 100) }

    /// Table cells carry untrusted text: pipes and line breaks would break the table.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "|", with: "\\|").replacingOccurrences(of: "\n", with: " ")
    }
}

/// Statuses in the order people read them.
enum RunStatusOrder {
    static let order = ["succeeded", "healed", "partial", "skipped", "failed", "running", "interrupted"]

    static func sorted(_ counts: [String: Int]) -> [(key: String, value: Int)] {
        counts.sorted { (order.firstIndex(of: $0.key) ?? 99, $0.key) < (order.firstIndex(of: $1.key) ?? 99, $1.key) }
    }
}
