import Foundation

extension WeeklyReportBuilder {
    /// What a data engineer could change, from the figures above.
    static func suggestions(_ report: WeeklyReport, proposals: [ProposalRecord], occurrences: [Occurrence]) -> [String] {
        var out: [String] = []
        for r in report.remediations where r.tried >= 3 && r.healed == r.tried {
            out.append(
                "Promote \(r.remediation): it healed \(r.failureClass) at \(r.pipeline)/\(r.step) \(r.healed) of \(Noun.count(r.tried, "time")); make it the step's first remedy and stop paging for it."
            )
        }
        var renames: [String: Int] = [:]
        for p in proposals where p.proposer == "claude" && p.verdict == .accepted {
            guard let mapping = p.mapping, let repair = try? SchemaRepair.parse(mapping) else { continue }
            for case .rename(let from, let to) in repair.operations { renames["\(from)\u{1F}\(to)", default: 0] += 1 }
        }
        for (pair, n) in renames.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) where n >= 2 {
            let names = pair.split(separator: "\u{1F}", omittingEmptySubsequences: false)
            out.append(
                "Add an alias: Claude mapped '\(names[0])' to '\(names[1])' \(Noun.count(n, "time")); `heal mappings promote ID` (ids in `heal mappings list`) writes it into the contract's aliases, or add `aliases: [\(names[0])]` to column \(names[1]) by hand, so the contract reads it with no proposer at all."
            )
        }
        var transient: [String: Int] = [:]
        for o in occurrences where o.failureClass == "transient" { transient["\(o.run.pipeline)/\(o.step)", default: 0] += 1 }
        for (step, n) in transient.sorted(by: { $0.key < $1.key }) where n >= 3 {
            out.append(
                "The source of \(step) failed transiently in \(Noun.count(n, "run")): give its fetch skill a `circuit_breaker` (or a fallback_source) so a dead endpoint is not hammered."
            )
        }
        var byClass: [String: Int] = [:]
        for o in occurrences { byClass["\(o.run.pipeline)/\(o.step)\u{1F}\(o.failureClass)", default: 0] += 1 }
        for (key, n) in byClass.sorted(by: { $0.key < $1.key }) where n >= 2 {
            let parts = key.split(separator: "\u{1F}").map(String.init)
            switch parts[1] {
            case "schema_mismatch" where !out.contains(where: { $0.hasPrefix("Add an alias") }):
                out.append(
                    "\(parts[0]) refused the header in \(Noun.count(n, "run")) and needed a schema repair each time: promote the mapping into the contract (`heal mappings promote ID`, ids in `heal mappings list`) so the contract reads the file as it is now, or ask the producer to restore the old header."
                )
            case "constraint_violation":
                out.append(
                    "\(parts[0]) hit constraint_violation in \(Noun.count(n, "run")) (keys already in the table): when the source re-sends rows on purpose, set `mode: merge` on the load skill or map constraint_violation to an `upsert` remediation; otherwise dedupe upstream."
                )
            case "target_unavailable":
                out.append(
                    "The warehouse of \(parts[0]) was unavailable in \(Noun.count(n, "run")): check its maintenance window against the schedule, or give the playbook's retry more attempts and a longer max_backoff_ms."
                )
            default:
                break
            }
        }
        for s in report.recurring {
            out.append(
                "Recurring: \(s.pipeline)/\(s.step) \(s.failureClass) on \(s.longestStreak) consecutive days (\(s.healed) of \(s.occurrences) healed): \"\(s.pattern)\". Fix it at the source; heal alerts on it until it stops."
            )
        }
        return out
    }
}
