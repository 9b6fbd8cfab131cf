import Foundation

/// Per-endpoint circuit breaker kept in metadata.db, so a dead endpoint is not hammered run after run.
///
/// After `failures` transient failures in a row the circuit opens for `cooldown`; while open, fetches fail at once.
public struct CircuitBreaker: Sendable {
    /// Thrown instead of calling an endpoint whose circuit is open.
    public struct CircuitOpen: Error {
        public var details: String
    }

    /// The breaker a fetch skill's `circuit_breaker:` settings describe.
    init(_ spec: FetchSpec, store: MetadataStore) {
        self.init(failures: spec.circuitFailures, cooldown: .seconds(spec.circuitCooldownSeconds), store: store)
    }

    public var failures: Int
    public var cooldown: Duration
    let store: MetadataStore

    public init(failures: Int = 5, cooldown: Duration = .seconds(300), store: MetadataStore) {
        self.failures = failures
        self.cooldown = cooldown
        self.store = store
    }

    /// The endpoint a URL belongs to: scheme, host and port, never credentials or paths.
    public static func endpoint(of url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme, let host = components.host else { return nil }
        return "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")"
    }

    /// Why the circuit is open, or nil when calls may go through.
    public func refusal(for endpoint: String, now: Date = Date()) throws -> String? {
        guard let state = try store.circuit(endpoint), let until = state.openedUntil, until > Timestamp.string(now) else { return nil }
        return "circuit open for \(endpoint) until \(until) after \(state.consecutiveFailures) failures in a row; not calling it"
    }

    /// Runs `work` through the circuit of `endpoint`: refused at once while it is open (`CircuitOpen`), and its
    /// outcome recorded. Only a transient failure counts against the endpoint; an answer such as a 404 does not.
    public func call<T>(_ endpoint: String, _ work: () async throws -> T) async throws -> T {
        if let refusal = try refusal(for: endpoint) { throw CircuitOpen(details: refusal) }
        do {
            let value = try await work()
            try record(endpoint, failed: false)
            return value
        } catch let failure as SkillFailure {
            try record(endpoint, failed: failure.failureClass == .transient)
            throw failure
        }
    }

    public func record(_ endpoint: String, failed: Bool, now: Date = Date()) throws {
        try store.recordCircuit(
            endpoint,
            failed: failed,
            threshold: failures,
            openUntil: Timestamp.string(now.addingTimeInterval(Double(cooldown.milliseconds) / 1000))
        )
    }
}
