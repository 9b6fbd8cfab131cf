import Foundation

/// The secret values a process may hold (API keys, passwords, tokens, values a header reads from the environment),
/// and their removal from any text heal stores, prints or sends: a server that echoes a key in its error message
/// must not put it in metadata.db, an alert or the terminal.
public struct Secrets: Sendable {
    /// Longest first, so a secret that contains another is removed whole.
    let values: [String]

    /// Names that hold a secret whatever the configuration says.
    static let knownNames: Set<String> = [
        "ANTHROPIC_API_KEY", "PGPASSWORD", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
        "HEAL_TEST_POSTGRES_PASSWORD", "HEAL_SLACK_WEBHOOK",
    ]
    /// Words in a variable's name that mark it a secret (`GITHUB_TOKEN`, `DB_PASSWORD`, `VENDOR_API_KEY`).
    static let secretWords = [
        "KEY", "TOKEN", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH", "WEBHOOK", "SIGNATURE", "COOKIE", "SESSION",
    ]

    /// The process's own environment, by name only: what the command line redacts before any configuration is read.
    public static let process = Secrets(environment: ProcessInfo.processInfo.environment)

    /// `names` adds the variables a configuration sends somewhere (`{env.X}` in a header, a query, a webhook).
    public init(environment: [String: String], names: Set<String> = []) {
        var found: Set<String> = []
        for (name, value) in environment {
            let upper = name.uppercased()
            guard Secrets.knownNames.contains(upper) || names.contains(name) || Secrets.secretWords.contains(where: { upper.contains($0) })
            else { continue }
            // Very short values would mangle ordinary text and protect little.
            if value.count >= 4 { found.insert(value) }
        }
        values = found.sorted { $0.count > $1.count }
    }

    public init(values: [String]) {
        self.values = Set(values.filter { $0.count >= 4 }).sorted { $0.count > $1.count }
    }

    public var isEmpty: Bool { values.isEmpty }

    /// The text with every secret replaced by `[redacted]`.
    public func redact(_ text: String) -> String {
        guard !values.isEmpty else { return text }
        var out = text
        for value in values where out.contains(value) {
            out = out.replacingOccurrences(of: value, with: "[redacted]")
        }
        return out
    }

    public func merged(with other: Secrets) -> Secrets {
        Secrets(values: values + other.values)
    }
}
