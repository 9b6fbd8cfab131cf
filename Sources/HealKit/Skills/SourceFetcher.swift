import Crypto
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Brings one file from a path, `file://` or `http(s)://` into staging, atomically (temporary file, then rename).
enum SourceFetcher {
    enum Staged {
        case fetched(Artifact, shownAs: String, watermark: Watermark?)
        /// The endpoint's circuit is open: a failure that retrying now cannot help.
        case refused(SkillResult)
    }

    /// Renders the spec's source and brings it to `staging/…/NN-name.EXT`.
    /// `sourceName` names the source's watermark (its skill config).
    static func stage(_ spec: FetchSpec, stepIndex: Int, name: String, sourceName: String, in context: RunContext) async throws -> Staged {
        let source = try context.renderPath(spec.source, allowingPathValues: spec.allowPathValues)
        var shown = display(spec.source, rendered: source)
        let ext = URL(fileURLWithPath: source).pathExtension
        let destination = context.stagingURL(stepIndex: stepIndex, name: name, extension: ext.isEmpty ? "csv" : ext)
        do {
            if let api = spec.api {
                return try await fetchAPI(
                    api,
                    spec: spec,
                    source: source,
                    to: context.stagingURL(stepIndex: stepIndex, name: name, extension: "jsonl"),
                    sourceName: sourceName,
                    context: context,
                    shownAs: shown
                )
            }
            let artifact = try await fetch(spec, source: source, to: destination, context: context, shownAs: &shown)
            return .fetched(artifact, shownAs: shown, watermark: nil)
        } catch let open as CircuitBreaker.CircuitOpen {
            var result = SkillResult.fail(.transient, open.details, figures: ["circuit_open": 1])
            result.retryAllowed = false
            return .refused(result)
        }
    }

    /// Fetches through the endpoint's circuit breaker (HTTP sources only; a local path has no endpoint to spare).
    /// `shownAs` becomes the object a listing picked, for S3 prefixes.
    static func fetch(
        _ spec: FetchSpec,
        source: String,
        to destination: URL,
        context: RunContext,
        shownAs: inout String
    ) async throws -> Artifact {
        if source.hasPrefix("s3://") {
            return try await fetchS3(spec, source: source, to: destination, context: context, shownAs: &shownAs)
        }
        guard let endpoint = CircuitBreaker.endpoint(of: source), source.hasPrefix("http") else {
            return try await fetch(
                source,
                to: destination,
                timeoutSeconds: spec.timeoutSeconds,
                home: context.home,
                shownAs: shownAs,
                followSymlinks: spec.followSymlinks
            )
        }
        let shown = shownAs
        return try await CircuitBreaker(spec, store: context.store).call(endpoint) {
            try await fetch(source, to: destination, timeoutSeconds: spec.timeoutSeconds, home: context.home, shownAs: shown)
        }
    }

    static func fetch(
        _ source: String,
        to destination: URL,
        timeoutSeconds: Int,
        home: HealHome,
        shownAs: String,
        followSymlinks: Bool = false
    ) async throws -> Artifact {
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            guard let url = URL(string: source) else { throw SkillFailure(.internal, "'\(shownAs)' is not a valid URL") }
            try await download(url, to: destination, timeoutSeconds: timeoutSeconds, shownAs: shownAs)
            let digest = try FileDigest.sha256(of: destination)
            return Artifact(url: destination, sha256: digest.sha256, bytes: digest.bytes)
        }
        let digest = try copy(
            home.resolve(path: source.hasPrefix("file://") ? String(source.dropFirst(7)) : source),
            to: destination,
            shownAs: shownAs,
            followSymlinks: followSymlinks
        )
        return Artifact(url: destination, sha256: digest.sha256, bytes: digest.bytes)
    }

    /// A JSON API's pages as one JSON Lines file, through the endpoint's circuit breaker; the query may read the
    /// source's committed watermark as `{watermark}`.
    static func fetchAPI(
        _ api: APISpec,
        spec: FetchSpec,
        source: String,
        to destination: URL,
        sourceName: String,
        context: RunContext,
        shownAs: String
    ) async throws -> Staged {
        var values = context.values
        values.watermark = try context.store.watermark(pipeline: context.pipeline, source: sourceName)
        let endpoint = CircuitBreaker.endpoint(of: source) ?? source
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        let fetched: APISource.Fetched
        do {
            fetched = try await CircuitBreaker(spec, store: context.store).call(endpoint) {
                try await APISource(spec: api, base: source, timeoutSeconds: spec.timeoutSeconds, shownAs: shownAs).fetch(
                    to: destination,
                    values: values
                )
            }
        } catch let error as TemplateError {
            throw SkillFailure(.configuration, error.message)
        }
        let digest = try FileDigest.sha256(of: destination)
        var artifact = Artifact(url: destination, sha256: digest.sha256, bytes: digest.bytes, rows: fetched.records)
        var format = TableFormat()
        format.kind = .jsonl
        artifact.format = format
        let shown = "\(shownAs) (\(Noun.count(fetched.records, "record")) in \(Noun.count(fetched.pages, "page")))"
        return .fetched(artifact, shownAs: shown, watermark: fetched.watermark.map { Watermark(source: sourceName, value: $0) })
    }

    /// `s3://bucket/key`, or the newest key under `s3://bucket/prefix/` that `pattern` matches whole, through the
    /// endpoint's circuit breaker.
    static func fetchS3(
        _ spec: FetchSpec,
        source: String,
        to destination: URL,
        context: RunContext,
        shownAs: inout String
    ) async throws -> Artifact {
        guard let (bucket, key) = S3Client.parse(source) else { throw SkillFailure(.internal, "'\(shownAs)' is not s3://bucket/key") }
        let client = try S3Client.make(spec, values: context.values)
        let circuit = "s3:" + (CircuitBreaker.endpoint(of: client.endpoint.absoluteString) ?? "aws") + "/" + bucket
        try FileManager.default.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        shownAs = try await CircuitBreaker(spec, store: context.store).call(circuit) { [shownAs] in
            var shownAs = shownAs
            var objectKey = key
            var shown = shownAs
            if let patternTemplate = spec.pattern {
                let pattern = try context.render(patternTemplate)
                guard let regex = try? NSRegularExpression(pattern: "^(?:\(pattern))$") else {
                    throw SkillFailure(.internal, "pattern '\(pattern)' is not a regular expression")
                }
                let (objects, pages) = try await client.list(
                    bucket: bucket,
                    prefix: key,
                    timeoutSeconds: spec.timeoutSeconds,
                    shownAs: shownAs
                )
                let matching = objects.filter { object in
                    let name = String(object.key.dropFirst(key.count))
                    return regex.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
                }
                guard let newest = matching.max(by: { ($0.lastModified, $0.key) < ($1.lastModified, $1.key) }) else {
                    throw SkillFailure.absent("no object under \(shownAs) matches \(pattern) (\(objects.count) listed)")
                }
                objectKey = newest.key
                shown = "s3://\(bucket)/\(newest.key)"
                shownAs =
                    "\(shown) (the newest of \(matching.count) matching among \(objects.count) objects, \(Noun.count(pages, "listing page")))"
            }
            let resumed = try await client.get(
                bucket: bucket,
                key: objectKey,
                to: destination,
                timeoutSeconds: spec.timeoutSeconds,
                shownAs: shown
            )
            if resumed > 0 { shownAs += " (resumed \(Noun.count(resumed, "time")) with Range)" }
            return shownAs
        }
        let digest = try FileDigest.sha256(of: destination)
        return Artifact(url: destination, sha256: digest.sha256, bytes: digest.bytes)
    }

    /// Copies a landing file into staging and returns its sha256 and size, hashed in the same read. Only a regular
    /// file is read: a FIFO or a device (`/dev/zero`) would block or never end, and a symbolic link can point at any
    /// file of the machine unless the skill allows links.
    static func copy(_ source: URL, to destination: URL, shownAs: String, followSymlinks: Bool) throws -> (sha256: String, bytes: Int) {
        var info = stat()
        guard lstat(source.path, &info) == 0 else { throw SkillFailure.absent("no file at \(shownAs)") }
        if info.st_mode & S_IFMT == S_IFLNK {
            guard followSymlinks else {
                throw SkillFailure(
                    .sourceMissing,
                    "\(shownAs) is a symbolic link; heal does not follow links in a source path (set follow_symlinks: true in the skill if this link is meant)"
                )
            }
            guard stat(source.path, &info) == 0 else {
                throw SkillFailure(.sourceMissing, "\(shownAs) is a symbolic link to a file that is not there")
            }
        }
        if let kind = FileBytes.notRegular(info.st_mode) {
            throw SkillFailure(.sourceMissing, "\(shownAs) is \(kind), not a regular file; heal reads regular files only")
        }
        let file = AtomicFile(destination)
        let temporary = file.temporary
        do {
            // Opened without following a link and without blocking, then checked again: the path may change under us.
            let input = try FileBytes(url: source, followSymlinks: followSymlinks)
            let output = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard output >= 0 else {
                throw SkillFailure(
                    .transient,
                    "could not create \(temporary.lastPathComponent) in staging: \(String(cString: strerror(errno)))"
                )
            }
            defer { close(output) }
            var buffer: [UInt8] = []
            var hasher = SHA256()
            var bytes = 0
            while try input.read(into: &buffer, limit: 1 << 20) > 0 {
                if let code = buffer.withUnsafeBytes({ DescriptorWrite.all(output, $0) }) {
                    throw SkillFailure(.transient, "could not write to staging: \(String(cString: strerror(code)))")
                }
                buffer.withUnsafeBytes { hasher.update(bufferPointer: $0) }
                bytes += buffer.count
                buffer.removeAll(keepingCapacity: true)
            }
            try file.publish()
            return (hasher.finalize().hexString, bytes)
        } catch let failure as SkillFailure {
            file.discard()
            throw failure
        } catch let error as FileBytes.NotRegular {
            file.discard()
            throw SkillFailure(.sourceMissing, "\(shownAs) \(error.problem)")
        } catch {
            file.discard()
            throw SkillFailure(.transient, "could not copy \(shownAs): \(error.localizedDescription)")
        }
    }

    static func download(_ url: URL, to destination: URL, timeoutSeconds: Int, shownAs: String) async throws {
        let file = AtomicFile(destination)
        defer { file.discard() }
        let response: URLResponse
        do {
            response = try await HTTPTransfer.download(URLRequest(url: url), into: file, timeoutSeconds: timeoutSeconds)
        } catch {
            throw HTTPTransfer.failure(error, shownAs: shownAs, timeoutSeconds: timeoutSeconds)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 200
        guard (200..<300).contains(status) else { throw failure(status: status, shownAs: shownAs) }
        try file.publish()
    }

    /// What an HTTP error status means for the ladder: gone or forbidden is `source_missing` (a fallback may help,
    /// a retry will not), busy or broken is `transient`. Shared by file downloads and API pages.
    static func failure(status: Int, shownAs: String) -> SkillFailure {
        switch status {
        case 404, 410: SkillFailure.absent("\(shownAs) answered HTTP \(status): the file is not there (yet)")
        case 401, 403: SkillFailure(.sourceMissing, "\(shownAs) answered HTTP \(status): access denied; check the credentials")
        case 408, 425, 429, 500...599: SkillFailure(.transient, "\(shownAs) answered HTTP \(status)")
        default: SkillFailure(.sourceMissing, "\(shownAs) answered HTTP \(status)")
        }
    }

    /// The source as it may be printed: no credentials in the URL, no rendered secrets.
    static func display(_ template: Template, rendered: String) -> String {
        if template.readsEnvironment { return template.source }
        guard var components = URLComponents(string: rendered), components.user != nil || components.password != nil else {
            return rendered
        }
        components.user = nil
        components.password = nil
        return components.string ?? template.source
    }
}
