import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `heal check --connect`: every source, lookup, target and credential a playbook names, tried once for a date
/// without fetching or loading anything, so a wrong path, an unset variable or a refused password shows up
/// before the night it would have failed.
public struct ConnectionCheck: Sendable {
    public enum Verdict: String, Sendable, Codable {
        /// Reached, and the credentials were accepted.
        case ok
        /// Reached, but the day's file is not there (yet): a fetch would wait or fall back.
        case warn
        case fail
    }

    /// One thing tried.
    public struct Probe: Sendable, Codable, Equatable {
        public var pipeline: String
        public var skill: String
        /// What was tried: `source`, `lookup`, `target`, `model`.
        public var role: String
        /// The source or target as it may be printed (passwords masked, environment values never shown).
        public var subject: String
        public var verdict: Verdict
        public var failureClass: FailureClass?
        public var detail: String

        enum CodingKeys: String, CodingKey {
            case pipeline, skill, role, subject, verdict, detail
            case failureClass = "failure_class"
        }
    }

    public var home: HealHome
    public var config: ProjectConfig
    public var environment: [String: String]
    public var timeoutSeconds = 10

    public init(home: HealHome, config: ProjectConfig, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.home = home
        self.config = config
        self.environment = environment
    }

    /// Every probe of the playbooks (all, or the one named), for each playbook's date (default: its yesterday).
    public func run(pipeline: String? = nil, date: CalendarDate? = nil, variables: [String: String] = [:]) async -> [Probe] {
        var probes: [Probe] = []
        for playbook in config.playbooks.values.sorted(by: { $0.name < $1.name }) where pipeline == nil || playbook.name == pipeline {
            let day = date ?? CalendarDate.of(Date(), in: playbook.timeZone).adding(days: -1)
            let values = TemplateValues(date: day, pipeline: playbook.name, runID: "check", variables: variables, environment: environment)
            var seen = Set<String>()
            let names = playbook.steps.flatMap { step in
                [step.skill] + step.onFailure.keys.sorted { $0.rawValue < $1.rawValue }.flatMap { step.onFailure[$0] ?? [] }
            }
            for name in names where seen.insert(name).inserted {
                guard let skill = config.skills[name] else { continue }
                probes += await self.probes(skill, pipeline: playbook.name, values: values)
            }
        }
        return probes
    }

    func probes(_ skill: SkillConfig, pipeline: String, values: TemplateValues) async -> [Probe] {
        func probe(_ role: String, _ template: Template, _ body: (String, String) async throws -> (Verdict, String)) async -> Probe {
            // A template that reads the environment is shown as written: its values may be secrets.
            var result = Probe(pipeline: pipeline, skill: skill.name, role: role, subject: template.source, verdict: .ok, detail: "")
            do {
                let rendered = try template.render(values)
                if !template.readsEnvironment { result.subject = rendered }
                (result.verdict, result.detail) = try await body(rendered, result.subject)
            } catch let error as TemplateError {
                (result.verdict, result.failureClass, result.detail) = (.fail, .configuration, error.message)
            } catch let failure as SkillFailure {
                (result.verdict, result.failureClass, result.detail) = (.fail, failure.failureClass, failure.details)
            } catch {
                (result.verdict, result.failureClass, result.detail) = (.fail, .internal, "\(error)")
            }
            result.subject = WarehouseTarget.display(result.subject)
            result.detail = Secrets(environment: environment).redact(result.detail)
            return result
        }
        var probes: [Probe] = []
        for endpoint in skill.settings.endpoints {
            switch endpoint {
            case .source(let spec):
                probes.append(
                    await probe("source", spec.source) { source, shown in
                        try await self.source(source, spec: spec, values: values, shown: shown)
                    }
                )
            case .lookup(let file):
                probes.append(
                    await probe("lookup", file) { path, shown in
                        let url = home.resolve(path: path)
                        guard FileBytes.isRegularFile(url) else {
                            throw SkillFailure(.configuration, "\(shown): no such file (the lookup table of the join)")
                        }
                        return (.ok, "the lookup file is there")
                    }
                )
            case .warehouse(let target):
                probes.append(await probe("target", target) { target, _ in try await self.target(target) })
            }
        }
        return probes
    }

    /// A path: the file, or at least its folder; HTTP: one HEAD (an API: its first GET); S3: a HEAD or a listing.
    func source(_ source: String, spec: FetchSpec, values: TemplateValues, shown: String) async throws -> (Verdict, String) {
        if source.hasPrefix("s3://") { return try await s3(source, spec: spec, values: values, shown: shown) }
        if source.hasPrefix("http://") || source.hasPrefix("https://") {
            guard var components = URLComponents(string: source), components.host != nil else {
                throw SkillFailure(.configuration, "\(shown) is not a URL")
            }
            var headers: [(String, String)] = []
            if let api = spec.api {
                var items = components.queryItems ?? []
                for (name, value) in api.query { items.append(URLQueryItem(name: name, value: try value.render(values))) }
                components.queryItems = items.isEmpty ? nil : items
                headers = try api.headers.map { ($0.name, try $0.value.render(values)) }
            }
            var request = URLRequest(url: components.url!)
            request.httpMethod = spec.api == nil ? "HEAD" : "GET"
            for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
            let response: URLResponse
            do { (_, response) = try await HTTPTransfer.send(request, timeoutSeconds: timeoutSeconds) } catch {
                throw HTTPTransfer.failure(error, shownAs: shown, timeoutSeconds: timeoutSeconds)
            }
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            switch status {
            case 200..<400: return (.ok, "HTTP \(status)")
            case 401, 403:
                throw SkillFailure(
                    .configuration,
                    "\(shown): HTTP \(status), the credentials were refused; check the token or headers in skills/… and the environment they read"
                )
            case 404, 410: return (.warn, "HTTP \(status): not there for \(values.date) (yet); the server answers")
            case 405 where spec.api == nil: return (.ok, "HTTP 405 to HEAD: the server answers")
            default: throw SkillFailure(status >= 500 || status == 429 ? .transient : .sourceMissing, "\(shown): HTTP \(status)")
            }
        }
        let url = home.resolve(path: source)
        if FileBytes.isRegularFile(url) { return (.ok, "the file for \(values.date) is there") }
        var folder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.deletingLastPathComponent().path, isDirectory: &folder), folder.boolValue else {
            throw SkillFailure(
                .configuration,
                "\(shown): the folder \(home.display(url.deletingLastPathComponent())) does not exist; fix source in the skill"
            )
        }
        return (.warn, "no file for \(values.date) yet; the folder is there")
    }

    func s3(_ source: String, spec: FetchSpec, values: TemplateValues, shown: String) async throws -> (Verdict, String) {
        guard let (bucket, key) = S3Client.parse(source) else { throw SkillFailure(.configuration, "'\(shown)' is not s3://bucket/key") }
        let client = try S3Client.make(spec, values: values)
        if spec.pattern != nil {
            let (objects, _) = try await client.list(bucket: bucket, prefix: key, timeoutSeconds: timeoutSeconds, shownAs: shown)
            return (.ok, "listed \(Noun.count(objects.count, "object")) under the prefix")
        }
        let (body, response) = try await client.send(
            client.request("HEAD", bucket: bucket, key: key),
            timeoutSeconds: timeoutSeconds,
            shownAs: shown
        )
        switch (response as? HTTPURLResponse)?.statusCode ?? 0 {
        case 200..<300: return (.ok, "the object for \(values.date) is there")
        case 404: return (.warn, "no object for \(values.date) yet; the bucket answers")
        case 401, 403: throw SkillFailure(.configuration, "\(shown): access denied; check the credentials, region and bucket policy")
        default:
            try S3Client.check(response, body, shownAs: shown)
            return (.ok, "answered")
        }
    }

    /// SQLite: the file's folder is writable (the database is created by the first load); PostgreSQL: a query.
    func target(_ target: String) async throws -> (Verdict, String) {
        if target.hasPrefix("sqlite:") {
            let url = home.resolve(path: String(target.dropFirst("sqlite:".count)))
            let folder = url.deletingLastPathComponent()
            guard FileManager.default.isWritableFile(atPath: folder.path) else {
                throw SkillFailure(.configuration, "the folder \(home.display(folder)) of \(target) does not exist or is not writable")
            }
            if FileManager.default.fileExists(atPath: url.path) {
                let answer = try await WarehouseTarget.open(target, home: home, environment: environment).scalar(
                    "SELECT count(*) FROM sqlite_master"
                )
                return (.ok, "the database answers (\(answer ?? "0") schema objects)")
            }
            return (.ok, "the folder is writable; the first load creates the database")
        }
        let warehouse = try WarehouseTarget.open(target, home: home, environment: environment)
        let version = try await warehouse.scalar("SELECT current_setting('server_version')")
        return (.ok, "connected, PostgreSQL \(version ?? "?")")
    }
}
