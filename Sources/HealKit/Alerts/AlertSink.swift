import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Somewhere an alert goes. Delivery failures are reported back, never thrown into the run.
public protocol AlertSink: Sendable {
    var name: String { get }
    func deliver(_ alert: Alert) async -> String?
}

/// Appends one JSON line per alert to `alerts/alerts.jsonl`.
public struct FileAlertSink: AlertSink {
    public let url: URL
    public var name: String { "file" }

    public func deliver(_ alert: Alert) async -> String? {
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var line = try encoder.encode(alert)
            line.append(UInt8(ascii: "\n"))
            if !FileManager.default.fileExists(atPath: url.path) {
                _ = FileManager.default.createFile(atPath: url.path, contents: nil)
            }
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: line)
            return nil
        } catch {
            return "cannot append to \(url.path): \(error.localizedDescription)"
        }
    }
}

/// POSTs a Slack-compatible `{"text": …}` body (with the full alert under `"alert"`), retried with backoff.
public struct WebhookAlertSink: AlertSink {
    public let url: URL
    public let attempts: Int
    public let backoff: Duration
    public var name: String { "webhook" }

    public init(url: URL, attempts: Int = 3, backoff: Duration = .milliseconds(500)) {
        self.url = url
        self.attempts = attempts
        self.backoff = backoff
    }

    public func deliver(_ alert: Alert) async -> String? {
        struct Body: Encodable {
            var text: String
            var alert: Alert
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        request.httpBody = try? JSONEncoder().encode(Body(text: alert.text, alert: alert))
        var problem = ""
        for attempt in 1...attempts {
            do {
                let (_, response) = try await HTTPTransfer.send(request, timeoutSeconds: 10)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if (200..<300).contains(status) { return nil }
                problem = "HTTP \(status)"
            } catch {
                problem = error.localizedDescription
            }
            if attempt < attempts { try? await Task.sleep(for: backoff * (1 << (attempt - 1))) }
        }
        return "webhook \(url.host ?? "?") failed after \(attempts) attempts: \(problem)"
    }
}
