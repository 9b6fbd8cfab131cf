import Foundation
import HealKit
import HealTesting
import Testing

/// `heal check --connect` (issue 17, item 5): every source, lookup, target and credential, tried without a load.
@Suite("heal check --connect", .serialized, .timeLimit(.minutes(3)))
struct ConnectCheckTests {
    struct Report: Decodable {
        var probes: [ConnectionCheck.Probe]
    }

    /// The example's paths are there (a day's file not there yet only warns); a wrong folder and an unset variable
    /// are configuration problems (exit 2) named with the skill; nothing is run or loaded.
    @Test func theExampleConnectsAndAWrongPathIsAConfigurationProblem() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let clean = try await HealProcess.run(["check", "--connect", "--date", "2026-11-19"], home: home)
        #expect(clean.status == 0, "\(clean.stdout)\(clean.stderr)")
        let lines = clean.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.hasPrefix("ok    sales-daily  fetch-sales") && $0.hasSuffix("source examples/landing/sales_20261119.csv: the file for 2026-11-19 is there") }, "\(lines)")
        #expect(lines.contains { $0.hasPrefix("warn  sales-daily  sales-mirror") && $0.hasSuffix("no file for 2026-11-19 yet; the folder is there") }, "\(lines)")
        #expect(lines.contains { $0.contains("sales-load") && $0.hasSuffix("target sqlite:warehouse.db: the folder is writable; the first load creates the database") }, "\(lines)")
        #expect(lines.last == "ok: 1 playbook, 9 skill configs, 4 connections tried", "\(lines)")
        #expect(!home.exists("metadata.db") && !home.exists("warehouse.db") && !home.exists("staging"), "a check runs nothing")

        try home.write("skills/sales-mirror.yml", "kind: fallback_source\nsource: examples/mirrors/sales_{date:yyyyMMdd}.csv\n")
        try home.write("skills/fetch-sales.yml", "kind: fetch\nsource: \"{env.HEAL_TEST_LANDING}/sales_{date:yyyyMMdd}.csv\"\n")
        let broken = try await HealProcess.run(["check", "--connect", "--date", "2026-11-19", "--json"], home: home)
        #expect(broken.status == 2, "\(broken.stdout)\(broken.stderr)")
        let report = try JSONDecoder().decode(Report.self, from: Data(broken.stdout.utf8))
        let bySkill = Dictionary(uniqueKeysWithValues: report.probes.map { ($0.skill, $0) })
        #expect(bySkill["sales-mirror"]?.verdict == .fail && bySkill["sales-mirror"]?.failureClass == .configuration
                && bySkill["sales-mirror"]?.detail.contains("the folder examples/mirrors does not exist") == true, "\(report.probes)")
        #expect(bySkill["fetch-sales"]?.failureClass == .configuration
                && bySkill["fetch-sales"]?.detail.contains("the environment variable HEAL_TEST_LANDING is not set") == true, "\(report.probes)")
        #expect(broken.stdout.contains("\"failure_class\" : \"configuration\""), "one naming style: \(broken.stdout)")

        // Set, the variable's value is used but never shown: the subject stays the template as written.
        let set = try await HealProcess.run(["check", "--connect", "--date", "2026-11-19", "--pipeline", "sales-daily"], home: home,
                                            environment: ["HEAL_TEST_LANDING": home.url("examples/landing").path])
        #expect(set.stdout.contains("source {env.HEAL_TEST_LANDING}/sales_{date:yyyyMMdd}.csv: the file for 2026-11-19 is there"), "\(set.stdout)")
        #expect(!set.stdout.contains(home.url("examples/landing").path), "\(set.stdout)")
        let usage = try await HealProcess.run(["check", "--date", "2026-11-19"], home: home)
        #expect(usage.status == 2 && usage.stderr.contains("go with --connect"), "\(usage.stderr)")
    }

    /// An HTTP source answers HEAD (404: not there yet, a warning), an API's token is tried with one GET (refused:
    /// configuration), and PostgreSQL is asked with the password from PGPASSWORD; no secret is printed.
    @Test func httpTokensAndPostgresPasswordsAreTried() async throws {
        let token = "tok-\(UUID().uuidString.prefix(8))"
        let server = try await TestHTTPServer { request, _ in
            switch request.path {
            case "/landing/items_20261102.csv": return .init(status: 200)
            case "/api/orders": return .init(status: request.headers["authorization"] == "Bearer \(token)" ? 200 : 401, body: Data("[]".utf8))
            default: return .init(status: 404)
            }
        }
        defer { Task { await server.stop() } }
        let postgres = try await TestPostgres.server()
        let home = try TestHome()
        defer { home.remove() }
        try home.write("playbooks/items.yml", """
            steps:
              - { name: fetch, skill: fetch, on_failure: { source_missing: [mirror] } }
              - { name: orders, skill: orders }
              - { name: load, skill: load }
            """)
        try home.write("skills/fetch.yml", "kind: fetch\nsource: \"\(server.baseURL)/landing/items_{date:yyyyMMdd}.csv\"\n")
        try home.write("skills/mirror.yml", "kind: fallback_source\nsource: \"\(server.baseURL)/mirror/items_{date:yyyyMMdd}.csv\"\n")
        try home.write("skills/orders.yml", """
            kind: fetch
            source: "\(server.baseURL)/api/orders"
            api:
              headers: { Authorization: "Bearer {env.ORDERS_TOKEN}" }
            """)
        try home.write("skills/load.yml", "kind: load\ntarget: \(postgres.url(database: "heal_test"))\ntable: items\n")

        let good = try await HealProcess.run(["check", "--connect", "--date", "2026-11-02"], home: home,
                                             environment: ["ORDERS_TOKEN": token, "PGPASSWORD": postgres.password])
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        #expect(good.stdout.contains("fetch  source \(server.baseURL)/landing/items_20261102.csv: HTTP 200"), "\(good.stdout)")
        #expect(good.stdout.contains("warn  items") && good.stdout.contains("mirror/items_20261102.csv: HTTP 404: not there for 2026-11-02 (yet)"), "\(good.stdout)")
        #expect(good.stdout.contains("connected, PostgreSQL"), "\(good.stdout)")
        let requests = await server.requests()
        #expect(requests.filter { $0.path.hasPrefix("/landing") || $0.path.hasPrefix("/mirror") }.allSatisfy { $0.method == "HEAD" }, "nothing is downloaded")
        #expect(!requests.isEmpty && requests.allSatisfy { $0.headers["user-agent"] == "heal/\(HealVersion.string)" }, "\(requests.map(\.headers))")

        let refused = try await HealProcess.run(["check", "--connect", "--date", "2026-11-02"], home: home,
                                                environment: ["ORDERS_TOKEN": "wrong-\(token)", "PGPASSWORD": "not-the-password"])
        #expect(refused.status == 2, "\(refused.stdout)\(refused.stderr)")
        #expect(refused.stdout.contains("FAIL  items") && refused.stdout.contains("configuration: \(server.baseURL)/api/orders: HTTP 401, the credentials were refused"), "\(refused.stdout)")
        #expect(refused.stdout.contains("configuration: PostgreSQL") && refused.stdout.contains("password authentication failed"), "\(refused.stdout)")
        #expect(refused.stderr.contains("2 of 4 connections failed"), "\(refused.stderr)")
        for secret in [token, postgres.password, "not-the-password"] {
            #expect(!refused.stdout.contains(secret) && !refused.stderr.contains(secret) && !good.stdout.contains(secret))
        }

        // Nothing listening: unreachable, not a setting (exit 1).
        await server.stop()
        let down = try await HealProcess.run(["check", "--connect", "--date", "2026-11-02", "--pipeline", "items"], home: home,
                                             environment: ["ORDERS_TOKEN": token, "PGPASSWORD": postgres.password])
        #expect(down.status == 1, "\(down.stdout)\(down.stderr)")
        #expect(down.stdout.contains("FAIL  items") && down.stdout.contains("transient"), "\(down.stdout)")
    }
}
