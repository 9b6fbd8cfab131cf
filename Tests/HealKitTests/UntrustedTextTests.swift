import Foundation
import GRDB
import HealKit
import HealTesting
import Testing

/// Text from files and servers reaching places it must not (issue 13, items 7 and 9), through the built binary.
@Suite("Secrets and terminal control sequences", .serialized, .timeLimit(.minutes(3)))
struct UntrustedTextTests {
    static let key = "sk-ant-api03-Zq9xSECRETvalue-never-shown"

    /// Every text column of every table of metadata.db, joined.
    func everythingStored(_ home: TestHome) throws -> String {
        let db = try DatabaseQueue(path: home.url("metadata.db").path)
        return try db.read { db in
            var out: [String] = []
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                    out += row.databaseValues.compactMap { String.fromDatabaseValue($0) }
                }
            }
            return out.joined(separator: "\n")
        }
    }

    /// Item 7: a model endpoint that echoes the API key in its error had it stored and printed verbatim.
    @Test func anEchoedAPIKeyIsNeverStoredNorPrinted() async throws {
        let server = try await TestHTTPServer { request, _ in
            MessagesAPIStub.error(400, type: "invalid_request_error", message: "the key \(request.headers["x-api-key"] ?? "") is not valid for model claude-test")
        }
        defer { Task { await server.stop() } }
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write("skills/repair.yml", "kind: schema_repair\nproposers: [claude]\nmax_calls: 1\n")
        let result = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-22"], home: home,
                                               environment: ["ANTHROPIC_API_KEY": Self.key, "ANTHROPIC_BASE_URL": server.baseURL])
        #expect(result.status == 1)
        #expect(await server.requests().first?.headers["x-api-key"] == Self.key)
        let everything = [result.stdout, result.stderr, try home.read("alerts/alerts.jsonl"), try everythingStored(home)].joined(separator: "\n")
        #expect(!everything.contains(Self.key))
        #expect(!everything.contains("SECRETvalue"))
        // The rest of the server's words are kept, so the operator still learns what went wrong.
        #expect(try everythingStored(home).contains("the key [redacted] is not valid"))
        #expect(result.stdout.contains("[redacted]"))
    }

    /// Item 7: a value a header reads from the environment is a secret whatever its variable is called, and so
    /// are the usual names.
    @Test func secretsComeFromKnownNamesSecretWordsAndHeaders() {
        let environment = ["VENDOR_X": "hdr-value-1234", "PGPASSWORD": "pg-pass-5678", "GITHUB_TOKEN": "ghp_abcdef", "HOME": "/root", "PWD": "/work"]
        let secrets = Secrets(environment: environment, names: ["VENDOR_X"])
        let text = "sent hdr-value-1234 with pg-pass-5678 and ghp_abcdef from /root in /work"
        #expect(secrets.redact(text) == "sent [redacted] with [redacted] and [redacted] from /root in /work")
        #expect(Secrets(environment: environment).redact(text).contains("hdr-value-1234"))
    }

    /// Item 9: escape sequences in a file's header reached the operator's terminal raw (title set, screen cleared).
    @Test func controlSequencesInAFileArePrintedEscaped() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let hostile = "sale_id\u{1B}]0;pwned\u{07}\u{1B}[2J\u{202E}"
        let text = try home.read("examples/landing/sales_20261118.csv")
        try home.write("examples/landing/sales_20261118.csv", text.replacingOccurrences(of: "sale_id", with: hostile))
        let result = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home)
        #expect(result.status == 1)
        for output in [result.stdout, result.stderr] {
            #expect(!output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 || $0.value == 0x202E })
        }
        #expect(result.stdout.contains("sale_id\\x1B]0;pwned\\x07\\x1B[2J\\u{202E}"), "\(result.stdout)")
        // The history shows it the same way.
        let run = try #require(result.stdout.split(separator: "\n").last { $0.hasPrefix("inspect: heal runs show ") }).split(separator: " ").last!
        let shown = try await HealProcess.run(["runs", "show", String(run)], home: home)
        #expect(!shown.stdout.unicodeScalars.contains { $0.value == 0x1B })
        #expect(shown.stdout.contains("\\x1B]0;pwned"))
    }

    @Test func printableTextKeepsLinesAndTabs() {
        #expect(PrintableText.escaped("a\tb\nc\r\u{7F}\u{9B}") == "a\tb\nc\\x0D\\x7F\\x9B")
    }

    /// `--json` stays valid JSON when a value holds what JSONEncoder leaves raw (DEL, C1, a bidi override).
    @Test func jsonOutputStaysJSONAndTerminalSafe() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let text = try home.read("examples/landing/sales_20261118.csv")
        try home.write("examples/landing/sales_20261118.csv", text.replacingOccurrences(of: "sale_id", with: "sale_id\u{202E}\u{7F}\u{1B}[2J"))
        let result = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18", "--json"], home: home)
        #expect(result.status == 1)
        #expect(!result.stdout.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x7F || $0.value == 0x202E })
        let run = try JSONDecoder().decode(RunSummary.self, from: Data(result.stdout.utf8))
        #expect(run.steps[1].attempts[0].details.contains("sale_id\u{202E}\u{7F}\u{1B}[2J"))
    }
}
