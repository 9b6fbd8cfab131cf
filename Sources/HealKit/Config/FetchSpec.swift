import Foundation

public struct FetchSpec: Sendable {
    public var source: Template
    public var minBytes: Int = 1
    /// A landing path that is a symbolic link is refused unless this is set (a link can point at any file).
    public var followSymlinks = false
    /// Whether `{var.…}` and `{watermark}` may put separators or `..` into the source's path.
    public var allowPathValues = false
    public var sha256: Template?
    public var timeoutSeconds: Int = 60
    /// Transient failures in a row that open an HTTP endpoint's circuit, and for how long.
    public var circuitFailures: Int = 5
    public var circuitCooldownSeconds: Int = 300
    /// S3-compatible stores: a custom endpoint (path-style), the region, a credentials profile, and a pattern
    /// that picks the day's object among the keys under an `s3://bucket/prefix/` source.
    public var endpoint: Template?
    public var region: String?
    public var profile: String?
    public var pattern: Template?
    /// A JSON API: pages of records written to staging as JSON Lines.
    public var api: APISpec?
    /// How long to wait for a late file (absent, or under min_bytes) before it is `source_missing`.
    public var wait: FetchWait?
}

/// `wait: { timeout: 2h, poll: 5m }`: a producer that is late most nights is waited for, not paged about.
public struct FetchWait: Sendable, Equatable {
    public var timeoutSeconds: Int
    public var pollSeconds: Int
}

extension FetchSpec: YAMLSettings {
    public static let kind: SkillKind = "fetch"

    static func decode(_ root: YAMLValue) throws -> FetchSpec {
        let map = try root.map(allowed: [
            "kind", "source", "min_bytes", "sha256", "timeout_seconds", "circuit_breaker", "endpoint", "region", "profile", "pattern",
            "api",
            "follow_symlinks", "allow_path_values", "wait",
        ])
        let sourceValue = try map.required("source", "a path, file://, http(s):// or s3:// URL")
        var spec = FetchSpec(source: try sourceValue.template("a path or URL"))
        if let v = map["endpoint"] { spec.endpoint = try v.template("an http(s):// URL") }
        if let v = map["region"] { spec.region = try v.string("an AWS region such as us-east-1") }
        if let v = map["profile"] { spec.profile = try v.string("a profile name in the AWS credentials file") }
        if let v = map["pattern"] { spec.pattern = try v.template("a regular expression for the object's key") }
        if let v = map["api"] {
            guard spec.source.source.hasPrefix("http") else { throw v.error("api applies to http(s):// sources only") }
            spec.api = try APISpec.decode(v)
        }
        let isS3 = spec.source.source.hasPrefix("s3://")
        for key in ["endpoint", "region", "profile", "pattern"] where !isS3 {
            if let v = map[key] { throw v.error("\(key) applies to s3:// sources only") }
        }
        if isS3 && spec.pattern == nil && spec.source.source.hasSuffix("/") {
            throw sourceValue.error("an s3:// source ending in / is a prefix: add pattern: to pick the day's object")
        }
        if let v = map["min_bytes"] { spec.minBytes = try v.int("a size in bytes", range: 0...Int.max) }
        if let v = map["follow_symlinks"] { spec.followSymlinks = try v.bool() }
        if let v = map["allow_path_values"] { spec.allowPathValues = try v.bool() }
        if let v = map["sha256"] { spec.sha256 = try v.template("a SHA-256 hex digest") }
        if let v = map["timeout_seconds"] { spec.timeoutSeconds = try v.int("seconds", range: 1...86_400) }
        if let v = map["wait"] {
            let w = try v.map(allowed: ["timeout", "poll"])
            let timeout = try w.required("timeout", "how long to wait for the file, e.g. 2h").seconds(range: 1...86_400)
            let poll = try w["poll"]?.seconds(range: 1...3_600) ?? min(60, timeout)
            guard poll <= timeout else { throw w["poll"]!.error("poll \(poll) s is longer than timeout \(timeout) s") }
            spec.wait = FetchWait(timeoutSeconds: timeout, pollSeconds: poll)
        }
        if let v = map["circuit_breaker"] {
            let c = try v.map(allowed: ["failures", "cooldown_seconds"])
            if let f = c["failures"] { spec.circuitFailures = try f.int("a number of failures", range: 1...1000) }
            if let s = c["cooldown_seconds"] { spec.circuitCooldownSeconds = try s.int("seconds", range: 0...604_800) }
        }
        return spec
    }

    public var sentTemplates: [Template] {
        [source] + (endpoint.map { [$0] } ?? []) + (api.map { api in api.query.map(\.value) + api.headers.map(\.value) } ?? [])
    }

    public var endpoints: [SkillEndpoint] { [.source(self)] }
}
