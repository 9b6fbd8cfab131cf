import Foundation

/// `fetch`: brings the day's file into staging; passes when it is there, big enough and, if asked, has the right checksum.
public struct FetchSkill: Skill {
    public let config: SkillConfig
    let spec: FetchSpec

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        let source = try context.render(spec.source)
        let shown = SourceFetcher.display(spec.source, rendered: source)
        let ext = URL(fileURLWithPath: source).pathExtension
        let destination = context.stagingURL(stepIndex: input.stepIndex, name: input.stepName, extension: ext.isEmpty ? "csv" : ext)
        let artifact: Artifact
        do {
            artifact = try await SourceFetcher.fetch(spec, source: source, to: destination, context: context, shownAs: shown)
        } catch let open as SourceFetcher.CircuitOpen {
            var result = SkillResult.fail(.transient, open.details, figures: ["circuit_open": 1])
            result.retryAllowed = false
            return result
        }
        return try verify(artifact, source: shown, in: context)
    }

    public func recheck(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        try verify(try input.requireArtifact(), source: input.artifact.map { context.home.display($0.url) } ?? "", in: context)
    }

    func verify(_ artifact: Artifact, source: String, in context: RunContext) throws -> SkillResult {
        let figures = ["bytes": artifact.bytes]
        if artifact.bytes < spec.minBytes {
            return .fail(.transient, "\(source) has \(artifact.bytes) bytes, fewer than min_bytes \(spec.minBytes); it may still be arriving", figures: figures)
        }
        if let expected = try spec.sha256.map({ try context.render($0).lowercased() }), expected != artifact.sha256 {
            return .fail(.transient, "\(source) has sha256 \(artifact.sha256), expected \(expected); the copy may be incomplete or altered", figures: figures)
        }
        let staged = context.home.display(artifact.url)
        return .pass(source == staged ? "\(staged): \(artifact.bytes) bytes, checks pass" : "\(source) → \(staged) (\(artifact.bytes) bytes)", figures: figures, artifact: artifact)
    }
}

/// `fallback_source`: the same file from another place, when the primary is missing or down.
public struct FallbackSource: Remediation {
    public let config: SkillConfig
    let spec: FetchSpec

    public func remediate(_ failure: StepFailure, in context: RunContext) async throws -> SkillResult {
        let source = try context.render(spec.source)
        let shown = SourceFetcher.display(spec.source, rendered: source)
        let ext = URL(fileURLWithPath: source).pathExtension
        let destination = context.stagingURL(stepIndex: failure.input.stepIndex, name: "\(failure.input.stepName)-\(config.name)", extension: ext.isEmpty ? "csv" : ext)
        let artifact: Artifact
        do {
            artifact = try await SourceFetcher.fetch(spec, source: source, to: destination, context: context, shownAs: shown)
        } catch let open as SourceFetcher.CircuitOpen {
            return .fail(.transient, open.details)
        }
        if artifact.bytes < spec.minBytes {
            return .fail(.sourceMissing, "fallback \(shown) has \(artifact.bytes) bytes, fewer than min_bytes \(spec.minBytes)")
        }
        return .pass("fetched the fallback \(shown) (\(artifact.bytes) bytes)", figures: ["bytes": artifact.bytes], artifact: artifact)
    }
}
