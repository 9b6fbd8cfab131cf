import Foundation

/// `quarantine_filter`: moves the rows the failed check rejected to quarantine and continues with the rest.
///
/// The check wrote its rejects aside as it read, so nothing is read again here: the rejects file is published
/// to `quarantine/`, and the next artifact is the same file with those rows left out (no copy is written).
/// The re-check afterwards judges the remaining rows with the same rules.
public struct QuarantineFilter: Remediation {
    public let config: SkillConfig
    let spec: QuarantineSpec

    public func remediate(_ failure: StepFailure, in context: RunContext) async throws -> SkillResult {
        let artifact = try failure.input.requireArtifact()
        guard failure.skill is any RowChecking, let rejected = failure.result.rejected, rejected.input == artifact.url,
            failure.result.failingRows > 0
        else {
            return .fail(
                failure.result.failureClass ?? .internal,
                "cannot quarantine: this failure is about the whole file, not single rows"
            )
        }
        let total = failure.result.rows.read ?? 0
        let moved = rejected.rows.count
        let pct = total == 0 ? 0 : Double(moved) / Double(total) * 100
        let figures = ["rows": total, "quarantined": moved, "kept": total - moved]
        if pct > spec.maxPct {
            return .fail(
                failure.result.failureClass ?? .qualityViolation,
                String(
                    format:
                        "%d of %d rows (%.1f%%) fail, more than max_pct %g%%: this looks like a bad file, not a few bad rows; nothing was quarantined",
                    moved,
                    total,
                    pct,
                    spec.maxPct
                ),
                figures: figures
            )
        }
        let batch = try QuarantineBatch.publish(rejected, step: failure.step.name, context: context)
        var next = artifact
        let excluded = (artifact.excluded ?? RowSet()).union(rejected.rows)
        next.excluded = excluded
        next.rows = total - moved
        // The view's identity: the file it reads and the rows it leaves out.
        next.sha256 = FileDigest.sha256(
            of: Data("\(artifact.sha256) without \(excluded.rows.map(String.init).joined(separator: ","))".utf8)
        )
        let reasons = rejected.reasons.sorted { $0.value > $1.value }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        return .pass(
            "\(moved) of \(Noun.count(total, "row")) → \(context.home.display(batch)) (\(reasons))",
            figures: figures,
            artifact: next,
            rows: RowDelta(quarantined: moved)
        )
    }
}

extension QuarantineSpec: RemediationSettings {
    public func makeRemediation(_ config: SkillConfig) -> any Remediation { QuarantineFilter(config: config, spec: self) }
}
