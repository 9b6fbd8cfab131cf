import Foundation

/// `fetch`: brings the day's file into staging; passes when it is there, big enough and, if asked, has the right checksum.
public struct FetchSkill: SourceStarting, ReadsNoInput {
    public let config: SkillConfig
    let spec: FetchSpec

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        guard let wait = spec.wait else { return try await fetch(input, in: context) }
        // A late file is looked for again every poll until the timeout; only then is it the failure it was.
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(wait.timeoutSeconds)
        var looks = 1
        while true {
            let result: SkillResult
            var late = false
            do {
                result = try await fetch(input, in: context)
                late = result.outcome == .fail && result.stillArriving
            } catch let failure as SkillFailure where failure.absent {
                result = .fail(failure.failureClass, failure.details)
                late = true
            }
            guard late else {
                var arrived = result
                if looks > 1 { arrived.details += " (arrived on look \(looks), polling every \(Self.span(wait.pollSeconds)))" }
                return arrived
            }
            let now = clock.now
            guard now < deadline else {
                // Still absent or short after the whole wait: missing, so the retry policy does not wait it all again.
                var failed = result
                failed.failureClass = .sourceMissing
                failed.details +=
                    " (waited \(Self.span(wait.timeoutSeconds)): \(Noun.count(looks, "look")), every \(Self.span(wait.pollSeconds)))"
                return failed
            }
            // Nothing is staged yet: a safe point, so a stop request ends the wait at once.
            try await RunStopped.pause(min(.seconds(wait.pollSeconds), deadline - now), stop: context.stopRequested)
            looks += 1
        }
    }

    func fetch(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        switch try await SourceFetcher.stage(spec, stepIndex: input.stepIndex, name: input.stepName, sourceName: config.name, in: context) {
        case .fetched(let artifact, let shown, let watermark):
            // An incremental API with nothing new is a quiet night, not a failure: nothing to check or load.
            if spec.api != nil && artifact.rows == 0 {
                return .skip("\(shown): no new records\(spec.api?.watermarkField == nil ? "" : " since the watermark"); nothing to load")
            }
            var result = try verify(artifact, source: shown, in: context)
            if result.outcome == .pass { result.watermark = watermark }
            return result
        case .refused(let result):
            return result
        }
    }

    static func span(_ seconds: Int) -> String {
        seconds % 3600 == 0 ? "\(seconds / 3600) h" : seconds % 60 == 0 ? "\(seconds / 60) min" : "\(seconds) s"
    }

    public func recheck(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        let artifact = try input.requireArtifact()
        return try verify(artifact, source: context.home.display(artifact.url), in: context)
    }

    func verify(_ artifact: Artifact, source: String, in context: RunContext) throws -> SkillResult {
        let figures = ["bytes": artifact.bytes]
        if artifact.bytes < spec.minBytes {
            var short = SkillResult.fail(
                .transient,
                "\(source) has \(artifact.bytes) bytes, fewer than min_bytes \(spec.minBytes); it may still be arriving",
                figures: figures
            )
            short.stillArriving = true
            return short
        }
        if let expected = try spec.sha256.map({ try context.render($0).lowercased() }), expected != artifact.sha256 {
            return .fail(
                .transient,
                "\(source) has sha256 \(artifact.sha256), expected \(expected); the copy may be incomplete or altered",
                figures: figures
            )
        }
        let staged = context.home.display(artifact.url)
        return .pass(
            source == staged ? "\(staged): \(artifact.bytes) bytes, checks pass" : "\(source) → \(staged) (\(artifact.bytes) bytes)",
            figures: figures,
            artifact: artifact
        )
    }
}

/// `fallback_source`: the same file from another place, when the primary is missing or down.
public struct FallbackSource: Remediation {
    public let config: SkillConfig
    let spec: FetchSpec

    public func remediate(_ failure: StepFailure, in context: RunContext) async throws -> SkillResult {
        let name = "\(failure.input.stepName)-\(config.name)"
        guard
            case .fetched(let artifact, let shown, _) = try await SourceFetcher.stage(
                spec,
                stepIndex: failure.input.stepIndex,
                name: name,
                sourceName: config.name,
                in: context
            )
        else {
            return .fail(.transient, "the fallback's endpoint has an open circuit")
        }
        if artifact.bytes < spec.minBytes {
            return .fail(.sourceMissing, "fallback \(shown) has \(artifact.bytes) bytes, fewer than min_bytes \(spec.minBytes)")
        }
        return .pass("fetched the fallback \(shown) (\(artifact.bytes) bytes)", figures: ["bytes": artifact.bytes], artifact: artifact)
    }
}

extension FetchSpec: StepSettings {
    public func makeSkill(_ config: SkillConfig) -> any Skill { FetchSkill(config: config, spec: self) }
}

extension FallbackSourceSpec: RemediationSettings {
    public func makeRemediation(_ config: SkillConfig) -> any Remediation { FallbackSource(config: config, spec: fetch) }
}
