import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Somewhere an alert goes. Delivery failures are reported back, never thrown into the run.
public protocol AlertSink: Sendable {
    var name: String { get }
    /// A log rather than a person: it receives suppressed repeats too, marked as such.
    var logsRepeats: Bool { get }
    func deliver(_ alert: Alert) async -> String?
}

extension AlertSink {
    public var logsRepeats: Bool { false }
}

/// Appends one JSON line per alert to `alerts/alerts.jsonl`.
public struct FileAlertSink: AlertSink {
    public let url: URL
    public var name: String { "file" }
    public var logsRepeats: Bool { true }

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

/// POSTs a Slack-compatible `{"text": …}` body (with the full alert under `"alert"`), or with `json` the alert
/// object itself; retried with backoff.
public struct WebhookAlertSink: AlertSink {
    public let url: URL
    public let attempts: Int
    public let backoff: Duration
    public let format: String
    public var name: String { "webhook \(url.host ?? "?")" }

    public init(url: URL, attempts: Int = 3, backoff: Duration = .milliseconds(500), format: String = "slack") {
        self.url = url
        self.attempts = attempts
        self.backoff = backoff
        self.format = format
    }

    public func deliver(_ alert: Alert) async -> String? {
        struct Body: Encodable {
            var text: String
            var alert: Alert
        }
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.setValue("application/json", forHTTPHeaderField: "content-type")
        request.httpBody =
            format == "json" ? try? JSONEncoder().encode(alert) : try? JSONEncoder().encode(Body(text: alert.text, alert: alert))
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
        return "failed after \(Noun.count(attempts, "attempt")): \(problem)"
    }
}

/// Runs a program with the alert as JSON on standard input (a pager CLI, a ticket script); exit 0 is delivered.
public struct CommandAlertSink: AlertSink {
    public let argv: [String]
    public let directory: URL
    public let attempts: Int
    public var name: String { "command \(argv[0])" }

    public init(argv: [String], directory: URL, attempts: Int = 3) {
        self.argv = argv
        self.directory = directory
        self.attempts = attempts
    }

    public func deliver(_ alert: Alert) async -> String? {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let json = try? encoder.encode(alert) else { return "cannot encode the alert" }
        var problem = ""
        for attempt in 1...attempts {
            do {
                let outcome = try await ChildProcess.run(
                    argv[0],
                    Array(argv.dropFirst()),
                    in: directory,
                    input: Array(json),
                    timeout: .seconds(30)
                )
                if outcome.status == 0 { return nil }
                problem = "exit \(outcome.status.map(String.init) ?? "by signal"): \(outcome.stderr.prefix(200))"
            } catch is ChildProcess.TimedOut {
                problem = "no exit within 30 s"
            } catch {
                problem = "\(error)"
            }
            if attempt < attempts { try? await Task.sleep(for: .milliseconds(300 << (attempt - 1))) }
        }
        return "failed after \(Noun.count(attempts, "attempt")): \(problem)"
    }
}
