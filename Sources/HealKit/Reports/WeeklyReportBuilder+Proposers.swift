import Foundation

extension WeeklyReportBuilder {
    /// Each proposer's proposals, verdicts, model calls, tokens and median latency.
    static func proposers(_ proposals: [ProposalRecord]) -> [WeeklyReport.ProposerStats] {
        Dictionary(grouping: proposals, by: \.proposer).map { name, list -> WeeklyReport.ProposerStats in
            let accepted = list.filter { $0.verdict == .accepted }.count
            // A request was sent when its prompt has a size (or tokens were counted, in records from before sizes).
            let calls = list.filter { $0.promptBytes > 0 || $0.inputTokens + $0.outputTokens > 0 }
            let latencies = calls.map(\.latencyMs).sorted()
            var stats = WeeklyReport.ProposerStats(
                proposer: name,
                proposals: list.count,
                accepted: accepted,
                rejected: list.filter { $0.verdict == .rejected }.count,
                modelCalls: calls.count,
                inputTokens: list.reduce(0) { $0 + $1.inputTokens },
                outputTokens: list.reduce(0) { $0 + $1.outputTokens },
                medianLatencyMs: latencies.isEmpty ? 0 : latencies[(latencies.count - 1) / 2],
                rate: Double(accepted) / Double(list.count)
            )
            stats.pending = list.filter { $0.verdict == .pending }.count
            stats.none = list.count - stats.accepted - stats.rejected - stats.pending
            stats.failedCalls = calls.filter { $0.inputTokens + $0.outputTokens == 0 }.count
            return stats
        }.sorted { $0.proposer < $1.proposer }
    }
}
