import Foundation

extension RunPass {
    /// The reshaping step `index` and the load `loadIndex` after it in one pass: the load reads the transform's rows as
    /// they are made, inside its one transaction, and nothing is staged between them. Only a night where both pass is
    /// settled this way. Anything else (a failing verdict, a refused load, an error) has rolled the load back and
    /// recorded nothing, and returns false: the two steps then run one at a time, each with its ladder, as always.
    mutating func fused(_ index: Int, into loadIndex: Int, source: String, artifact: Artifact?) async throws -> Bool {
        guard let shaper = skills[index] as? any RowStreaming, let load = skills[loadIndex] as? any Loading else { return false }
        let (shapeStep, loadStep) = (playbook.steps[index], playbook.steps[loadIndex])
        let started = Date()
        let clock = ContinuousClock.now
        let stream: any JudgedRowStream
        do {
            stream = try shaper.stream(input(index, shaper, source: source, artifact: artifact), into: loadStep.name, in: context)
        } catch {
            return false
        }
        var rows = Artifact(
            url: context.stagingURL(stepIndex: index, name: shapeStep.name),
            sha256: artifact?.sha256 ?? "",
            bytes: 0,
            columns: stream.columns
        )
        rows.stream = stream
        CrashPoint.reach("before-step:\(loadStep.name)")
        // The rows left to load do not count the transform's duplicates yet: the load subtracts the stream's.
        let loadInput = input(loadIndex, load, source: source, artifact: rows)
        let loaded: SkillResult
        context.progress.begin(loadStep.name)
        defer { context.progress.end() }
        do {
            loaded = try await load.run(loadInput, in: context)
        } catch is RunStopped {
            outcome = (
                .interrupted,
                "\(executor.interrupted()) during step \(shapeStep.name), streamed into \(loadStep.name) (it had committed nothing): every earlier step is committed; the next run of \(context.date) resumes at \(shapeStep.name)"
            )
            stepSummaries.append(.init(name: shapeStep.name, skill: shapeStep.skill, status: .interrupted, attempts: []))
            return true
        } catch {
            return false
        }
        guard loaded.outcome == .pass else { return false }
        // The load committed, so the stream was read to its end and its verdict passed; anything else is recorded as
        // what it is, never passed over.
        let shaped = stream.verdict ?? .fail(.internal, "the load committed before the transform's verdict was known")
        let elapsed = ContinuousClock.now - clock
        let shapedClimb = try walk.passed(shaped, step: shapeStep, skill: shaper, started: started, elapsed: stream.busy)
        stepSummaries.append(.init(name: shapeStep.name, skill: shapeStep.skill, status: shapedClimb.stepStatus, attempts: walk.trace))
        ranSteps.insert(shapeStep.name)
        after[shapeStep.name] = artifact
        // Both checkpoints are written after the load committed: a resume restores the steps, never their rows
        // (a streamed artifact restores as one that cannot be read).
        try settle(index, shaper, source: source, output: rows, produced: false, healedNow: false, watermark: nil, checkpoint: nil)
        let loadClimb = try walk.passed(loaded, step: loadStep, skill: load, started: started, elapsed: elapsed)
        stepSummaries.append(.init(name: loadStep.name, skill: loadStep.skill, status: loadClimb.stepStatus, attempts: walk.trace))
        ranSteps.insert(loadStep.name)
        after[loadStep.name] = rows
        try settle(loadIndex, load, source: source, output: rows, produced: false, healedNow: false, watermark: nil, checkpoint: nil)
        settledAhead.insert(loadIndex)
        if shaped.outcome != .pass, shapeStep.critical {
            outcome = (.failed, "\(shapeStep.name): \(shaped.failureClass?.rawValue ?? "failed"): \(shaped.details)")
        }
        return true
    }
}
