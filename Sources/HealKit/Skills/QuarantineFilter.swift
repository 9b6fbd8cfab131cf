import Foundation

/// `quarantine_filter`: moves the rows the failed check rejects to quarantine and continues with the rest.
///
/// It asks the failed skill's own row checker, so the re-check afterwards judges rows exactly as the first check did.
public struct QuarantineFilter: Remediation {
    public let config: SkillConfig
    let spec: QuarantineSpec

    public func remediate(_ failure: StepFailure, in context: RunContext) async throws -> SkillResult {
        guard let checking = failure.skill as? any RowChecking, (failure.result.figures["failing_rows"] ?? 0) > 0 else {
            return .fail(failure.result.failureClass ?? .internal, "cannot quarantine: this failure is about the whole file, not single rows")
        }
        let artifact = try failure.input.requireArtifact()
        let reader = try CSVReader(url: artifact.url)
        let checker = try checking.makeRowChecker(for: artifact, header: reader.header, in: context)
        let output = context.stagingURL(stepIndex: failure.input.stepIndex, name: "\(failure.input.stepName)-clean")
        let clean = try CSVWriter(url: output, header: reader.header, carrySourceLines: true)
        let quarantine = try QuarantineBatchWriter(context: context, header: reader.header)
        var total = 0
        while let record = try reader.next() {
            total += 1
            if let violation = checker.check(record) {
                try quarantine.write(record, violation)
            } else {
                try clean.write(record.fields, sourceLine: record.line)
            }
        }
        let moved = quarantine.rows
        let pct = total == 0 ? 0 : Double(moved) / Double(total) * 100
        let figures = ["rows": total, "quarantined": moved, "kept": clean.rows]
        if pct > spec.maxPct {
            return .fail(failure.result.failureClass ?? .qualityViolation, String(format: "%d of %d rows (%.1f%%) fail, more than max_pct %g%%: this looks like a bad file, not a few bad rows; nothing was quarantined", moved, total, pct, spec.maxPct), figures: figures)
        }
        let digest = try clean.finish()
        try quarantine.finish(step: failure.step.name, context: context)
        let reasons = quarantine.reasons.sorted { $0.value > $1.value }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")
        var next = artifact
        next.url = output
        next.sha256 = digest.sha256
        next.bytes = digest.bytes
        next.rows = clean.rows
        return .pass("\(moved) of \(total) rows → \(context.home.display(quarantine.url)) (\(reasons))", figures: figures, artifact: next,
                     rows: RowDelta(quarantined: moved))
    }
}
