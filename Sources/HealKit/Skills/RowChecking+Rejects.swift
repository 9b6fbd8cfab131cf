import Foundation

// The skeleton both row-level checks share: failing rows go to a spool in the step's staging folder as they are
// found, and a failure of single rows carries them, so a quarantine publishes them without reading the file again.
extension RowChecking {
    /// Where this step's failing rows are written, at most the file's `max_rejects`.
    func rejectSpool(for artifact: Artifact, header: [String], input: StepInput, in context: RunContext) -> RejectSpool {
        RejectSpool(
            url: context.freshStagingURL(stepIndex: input.stepIndex, name: "\(input.stepName)-rejects"),
            header: header,
            input: artifact.url,
            limit: artifact.format?.limits.maxRejects ?? InputLimits().maxRejects
        )
    }

    /// A failure of `failing` single rows out of `rows` in `checked`, with the rows the spool wrote aside.
    func rowsFailed(
        _ failureClass: FailureClass,
        _ details: String,
        figures: [String: Int],
        rows: Int,
        failing: Int,
        rejected: RejectedRows?,
        checked: Artifact
    ) -> SkillResult {
        var result = SkillResult.fail(failureClass, details, figures: figures, rows: RowDelta(read: rows))
        result.rejected = rejected
        result.failingRows = failing
        result.checkedSHA256 = checked.sha256
        return result
    }
}
