import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Brings one file from a path, `file://` or `http(s)://` into staging, atomically (temporary file, then rename).
enum SourceFetcher {
    enum Staged {
        case fetched(Artifact, shownAs: String)
        /// The endpoint's circuit is open: a failure that retrying now cannot help.
        case refused(SkillResult)
    }

    /// Renders the spec's source and brings it to `staging/…/NN-name.EXT`.
    static func stage(_ spec: FetchSpec, stepIndex: Int, name: String, in context: RunContext) async throws -> Staged {
        let source = try context.render(spec.source)
        let shown = display(spec.source, rendered: source)
        let ext = URL(fileURLWithPath: source).pathExtension
        let destination = context.stagingURL(stepIndex: stepIndex, name: name, extension: ext.isEmpty ? "csv" : ext)
        do {
            return .fetched(try await fetch(spec, source: source, to: destination, context: context, shownAs: shown), shownAs: shown)
        } catch let open as CircuitOpen {
            var result = SkillResult.fail(.transient, open.details, figures: ["circuit_open": 1])
            result.retryAllowed = false
            return .refused(result)
        }
    }

    /// Fetches through the endpoint's circuit breaker (HTTP sources only; a local path has no endpoint to spare).
    static func fetch(_ spec: FetchSpec, source: String, to destination: URL, context: RunContext, shownAs: String) async throws -> Artifact {
        guard let endpoint = CircuitBreaker.endpoint(of: source), source.hasPrefix("http") else {
            return try await fetch(source, to: destination, timeoutSeconds: spec.timeoutSeconds, home: context.home, shownAs: shownAs)
        }
        let breaker = CircuitBreaker(failures: spec.circuitFailures, cooldown: .seconds(spec.circuitCooldownSeconds), store: context.store)
        if let refusal = try breaker.refusal(for: endpoint) {
            throw CircuitOpen(details: refusal)
        }
        do {
            let artifact = try await fetch(source, to: destination, timeoutSeconds: spec.timeoutSeconds, home: context.home, shownAs: shownAs)
            try breaker.record(endpoint, failed: false)
            return artifact
        } catch let failure as SkillFailure {
            // Only a dead or overloaded endpoint counts; a 404 means it answered.
            try breaker.record(endpoint, failed: failure.failureClass == .transient)
            throw failure
        }
    }

    static func fetch(_ source: String, to destination: URL, timeoutSeconds: Int, home: HealHome, shownAs: String) async throws -> Artifact {
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            guard let url = URL(string: source) else { throw SkillFailure(.internal, "'\(shownAs)' is not a valid URL") }
            try await download(url, to: destination, timeoutSeconds: timeoutSeconds, shownAs: shownAs)
        } else {
            try copy(home.resolve(path: source), to: destination, shownAs: shownAs)
        }
        let digest = try FileDigest.sha256(of: destination)
        return Artifact(url: destination, sha256: digest.sha256, bytes: digest.bytes)
    }

    static func copy(_ source: URL, to destination: URL, shownAs: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source.path, isDirectory: &isDirectory) else {
            throw SkillFailure(.sourceMissing, "no file at \(shownAs)")
        }
        guard !isDirectory.boolValue else { throw SkillFailure(.sourceMissing, "\(shownAs) is a folder, not a file") }
        let temporary = destination.deletingLastPathComponent().appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString).tmp")
        do {
            try FileManager.default.copyItem(at: source, to: temporary)
            try replace(destination, with: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw SkillFailure(.transient, "could not copy \(shownAs): \(error.localizedDescription)")
        }
    }

    static func replace(_ destination: URL, with temporary: URL) throws {
        if FileManager.default.fileExists(atPath: destination.path) { try FileManager.default.removeItem(at: destination) }
        try FileManager.default.moveItem(at: temporary, to: destination)
    }

    static func download(_ url: URL, to destination: URL, timeoutSeconds: Int, shownAs: String) async throws {
        let result: (URL, URLResponse)
        do {
            result = try await HTTPTransfer.download(URLRequest(url: url), beside: destination, timeoutSeconds: timeoutSeconds)
        } catch is HTTPTransfer.DeadlinePassed {
            throw SkillFailure(.transient, "\(shownAs) did not answer within \(timeoutSeconds) s")
        } catch {
            throw SkillFailure(.transient, "cannot reach \(shownAs): \(error.localizedDescription)")
        }
        let (file, response) = result
        defer { try? FileManager.default.removeItem(at: file) }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 200
        switch status {
        case 200..<300:
            try replace(destination, with: file)
        case 404, 410:
            throw SkillFailure(.sourceMissing, "\(shownAs) answered HTTP \(status): the file is not there (yet)")
        case 401, 403:
            throw SkillFailure(.sourceMissing, "\(shownAs) answered HTTP \(status): access denied; check the credentials")
        case 408, 425, 429, 500...599:
            throw SkillFailure(.transient, "\(shownAs) answered HTTP \(status)")
        default:
            throw SkillFailure(.sourceMissing, "\(shownAs) answered HTTP \(status)")
        }
    }

    struct CircuitOpen: Error {
        var details: String
    }

    /// The source as it may be printed: no credentials in the URL, no rendered secrets.
    static func display(_ template: Template, rendered: String) -> String {
        if template.readsEnvironment { return template.source }
        guard var components = URLComponents(string: rendered), components.user != nil || components.password != nil else { return rendered }
        components.user = nil
        components.password = nil
        return components.string ?? template.source
    }
}
