import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A minimal client for the Anthropic Messages API (`POST /v1/messages`), with the official SDKs' retry rules
/// and an overall deadline. The API key is sent in a header and never printed, logged or stored.
public struct AnthropicClient: Sendable {
    public var baseURL: String
    public var apiKey: String
    public var model: String
    public var deadline: Duration = .seconds(60)
    public var maxRetries = 2
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }

    public static let defaultBaseURL = "https://api.anthropic.com"
    public static let defaultModel = "claude-sonnet-4-5"

    public init(baseURL: String, apiKey: String, model: String) {
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiKey = apiKey
        self.model = model
    }

    public struct Response: Sendable {
        public var status: Int
        public var body: Data
        public var requestID: String?
    }

    public enum Failure: Error, CustomStringConvertible, Sendable {
        case keyRefused(Int)
        case http(Int, String)
        case deadline(Int)
        case network(String)

        public var description: String {
            switch self {
            case .keyRefused(let status): return "the API key was refused (HTTP \(status)); check ANTHROPIC_API_KEY"
            case .http(let status, let message): return "the Messages API answered HTTP \(status)\(message.isEmpty ? "" : ": \(message)")"
            case .deadline(let seconds): return "no answer from the Messages API within the \(seconds) s deadline"
            case .network(let message): return "cannot reach the Messages API: \(message)"
            }
        }
    }

    /// Sends one request body, retrying connection errors, 408, 409, 429 (with retry-after) and 5xx at most `maxRetries` times.
    public func send(_ body: Data) async throws(Failure) -> Response {
        let clock = ContinuousClock()
        let end = clock.now + deadline
        let seconds = Int(deadline.milliseconds / 1000)
        var retry = 0
        while true {
            let remaining = end - clock.now
            guard remaining > .zero else { throw .deadline(seconds) }
            guard let url = URL(string: "\(baseURL)/v1/messages"), url.scheme == "http" || url.scheme == "https" else {
                throw .network("ANTHROPIC_BASE_URL '\(baseURL)' is not an http(s) URL")
            }
            var request = URLRequest(url: url)
            request.httpMethod = "POST"
            request.setValue(apiKey, forHTTPHeaderField: "x-api-key")
            request.setValue("2023-06-01", forHTTPHeaderField: "anthropic-version")
            request.setValue("application/json", forHTTPHeaderField: "content-type")
            request.httpBody = body
            var delay: Duration?
            var failure = Failure.network("no answer")
            do {
                let (data, response) = try await HTTPTransfer.send(
                    request,
                    timeoutSeconds: max(1, Int((remaining.milliseconds + 999) / 1000))
                )
                let http = response as? HTTPURLResponse
                let status = http?.statusCode ?? 0
                if (200..<300).contains(status) {
                    return Response(status: status, body: data, requestID: http?.value(forHTTPHeaderField: "request-id"))
                }
                let message = Self.errorMessage(data)
                if status == 401 || status == 403 { throw Failure.keyRefused(status) }
                failure = .http(status, message)
                let retryAfter = Self.retryAfter(http)
                let retryable = status == 408 || status == 409 || status >= 500 || (status == 429 && retryAfter != nil)
                guard retryable else { throw failure }
                delay = retryAfter
            } catch let error as Failure {
                throw error
            } catch is HTTPTransfer.DeadlinePassed {
                throw .deadline(seconds)
            } catch {
                failure = .network(error.localizedDescription)
            }
            guard retry < maxRetries else { throw failure }
            let wait = delay ?? Self.backoff(retry: retry)
            guard clock.now + wait < end else { throw .deadline(seconds) }
            do { try await sleep(wait) } catch { throw .deadline(seconds) }
            retry += 1
        }
    }

    /// `retry-after-ms`, else `retry-after` in seconds, honoured up to 60 s.
    static func retryAfter(_ response: HTTPURLResponse?) -> Duration? {
        if let text = response?.value(forHTTPHeaderField: "retry-after-ms"), let ms = Double(text), ms >= 0, ms <= 60_000 {
            return .milliseconds(Int64(ms))
        }
        if let text = response?.value(forHTTPHeaderField: "retry-after"), let s = Double(text), s >= 0, s <= 60 {
            return .milliseconds(Int64(s * 1000))
        }
        return nil
    }

    /// The backoff before retry `retry` (0-based) without jitter.
    public static func backoffDelay(retry: Int) -> Duration { backoff(retry: retry, random: 0) }

    /// 0.5 · 2ⁿ s, capped at 8 s, with up to 25 % jitter.
    static func backoff(retry: Int, random: Double = Double.random(in: 0...1)) -> Duration {
        let seconds = min(0.5 * pow(2, Double(retry)), 8) * (1 - 0.25 * random)
        return .milliseconds(Int64(seconds * 1000))
    }

    static func errorMessage(_ data: Data) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let error = object["error"] as? [String: Any], let message = error["message"] as? String
        else { return "" }
        return String(message.prefix(200))
    }
}
