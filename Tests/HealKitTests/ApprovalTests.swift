import Foundation
import GRDB
import HealKit
import HealTesting
import Testing

/// `approval: first_use | always` on schema_repair, through the built `heal` on the shipped drift day.
@Suite("Mapping approval", .serialized, .timeLimit(.minutes(5)))
struct ApprovalTests {
    func home(_ approval: String) throws -> TestHome {
        let home = try TestHome.example()
        try home.write("skills/repair.yml", "kind: schema_repair\nproposers: [learned, heuristic]\napproval: \(approval)\n")
        return home
    }

    func heal(_ home: TestHome, _ arguments: String...) async throws -> HealProcess.Result {
        try await HealProcess.run(arguments, home: home, environment: ["ANTHROPIC_API_KEY": ""])
    }

    func rows(_ home: TestHome) throws -> Int {
        guard home.exists("warehouse.db") else { return 0 }
        return try DatabaseQueue(path: home.url("warehouse.db").path).read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE name = 'sales'") == 1 ? Int.fetchOne(db, sql: "SELECT count(*) FROM sales") ?? 0 : 0
        }
    }

    /// The drift day again on another date: the same header, so the same mapping.
    func copyDriftDay(_ home: TestHome, to day: String) throws {
        try home.write("examples/landing/sales_\(day).csv",
                       try home.read("examples/landing/sales_20261122.csv").replacingOccurrences(of: "S20261122-", with: "S\(day)-"))
    }

    @Test func firstUseWaitsForAPersonOnceThenHealsAlone() async throws {
        let home = try home("first_use")
        defer { home.remove() }
        let first = try await heal(home, "run", "sales-daily", "--date", "2026-11-22")
        #expect(first.status == 1, "\(first.stdout)")
        #expect(first.stdout.contains("heuristic mapping 1 passed the gate and waits for a person"), "\(first.stdout)")
        #expect(first.stderr.contains("next: review the mapping: heal mappings show 1, then heal mappings approve 1 (or heal mappings reject 1), then heal run sales-daily --date 2026-11-22; nothing was loaded"), "\(first.stderr)")
        #expect(try rows(home) == 0)
        let listed = try await heal(home, "mappings", "list")
        #expect(listed.stdout.contains("pending"), "\(listed.stdout)")
        // Run again before anyone looked: still waiting, still nothing loaded.
        #expect(try await heal(home, "run", "sales-daily", "--date", "2026-11-22").status == 1)
        #expect(try rows(home) == 0)

        let approved = try await heal(home, "mappings", "approve", "1")
        #expect(approved.status == 0 && approved.stdout.contains("next: heal run sales-daily --date 2026-11-22"), "\(approved.stdout)")
        let second = try await heal(home, "run", "sales-daily", "--date", "2026-11-22")
        #expect(second.status == 0, "\(second.stdout)")
        #expect(second.stdout.contains("learned mapping accepted"), "\(second.stdout)")
        #expect(try rows(home) == 500)

        // Approved once: the next day with the same header heals with no person.
        try copyDriftDay(home, to: "20261123")
        let next = try await heal(home, "run", "sales-daily", "--date", "2026-11-23")
        #expect(next.status == 0, "\(next.stdout)")
        #expect(try rows(home) == 1000)
    }

    @Test func alwaysAsksForEveryDayAndARejectionSticks() async throws {
        let home = try home("always")
        defer { home.remove() }
        #expect(try await heal(home, "run", "sales-daily", "--date", "2026-11-22").status == 1)
        _ = try await heal(home, "mappings", "approve", "1")
        #expect(try await heal(home, "run", "sales-daily", "--date", "2026-11-22").status == 0)
        #expect(try rows(home) == 500)
        try copyDriftDay(home, to: "20261123")
        let next = try await heal(home, "run", "sales-daily", "--date", "2026-11-23")
        #expect(next.status == 1 && next.stdout.contains("approval: always asks a person for every day a mapping loads"), "\(next.stdout)")
        #expect(try rows(home) == 500)

        let rejected = try await heal(home, "mappings", "reject", "1", "--json")
        #expect(rejected.status == 0, "\(rejected.stdout)")
        let decision = try JSONSerialization.jsonObject(with: Data(rejected.stdout.utf8)) as? [String: Any]
        #expect(decision?["action"] as? String == "rejected" && decision?["dates"] as? [String] == ["2026-11-23"], "\(rejected.stdout)")
        #expect((decision?["mapping"] as? [String: Any])?["status"] as? String == "rejected", "\(rejected.stdout)")
        let again = try await heal(home, "run", "sales-daily", "--date", "2026-11-23")
        #expect(again.status == 1)
        #expect(again.stdout.contains("a person rejected this mapping (mapping 1)"), "\(again.stdout)")
        #expect(try rows(home) == 500)
    }
}
