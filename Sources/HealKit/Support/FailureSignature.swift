import Foundation

/// What makes two failures the same one: the pipeline, the step, the failure class and the details with what
/// changes from day to day taken out (URLs, run ids, digests, paths, quoted values, numbers). Kept as text in
/// metadata.db (`pipeline|step|class|pattern`) for the three-day escalation and the weekly report.
public struct FailureSignature: Sendable, Hashable, CustomStringConvertible {
    public var pipeline: String
    public var step: String
    public var failureClass: String
    public var pattern: String

    public init(pipeline: String, step: String, failureClass: FailureClass?, details: String) {
        self.pipeline = pipeline
        self.step = step
        self.failureClass = failureClass?.rawValue ?? "unknown"
        pattern = FailureSignature.pattern(details)
    }

    public var description: String { "\(pipeline)|\(step)|\(failureClass)|\(pattern)" }

    private static let rules: [(NSRegularExpression, String)] = [
        // The examples after "; e.g." differ every day; the summary before them is the failure.
        (#"; e\.g\. .*$"#, ""),
        (#"\b[a-z][a-z0-9+.-]*://[^\s'"]+"#, "URL"),
        (#"\b\d{8}T\d{6}-[0-9a-f]{4}(-\d+)?\b"#, "RUN"),
        (#"\b[0-9a-f]{12,64}\b"#, "HEX"),
        (#"(?:[A-Za-z0-9_.~-]*/)+[A-Za-z0-9_.~-]+"#, "PATH"),
        (#"'[^']*'"#, "'…'"),
        (#"\b\d+([.,]\d+)*\b"#, "N"),
        (#"\s+"#, " "),
    ].map { (try! NSRegularExpression(pattern: $0.0), $0.1) }

    public static func pattern(_ details: String) -> String {
        var text = details
        for (regex, template) in rules {
            text = regex.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: template)
        }
        text = text.trimmingCharacters(in: .whitespaces)
        return text.count > 160 ? String(text.prefix(160)) + "…" : text
    }
}
