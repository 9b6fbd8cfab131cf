import Foundation
import GRDB
import HealKit
import HealTesting
import Testing

/// A small paginated JSON API on 127.0.0.1, written for these tests: cursor pages of 2, a 429 with Retry-After on the
/// second page, a 500 once, a bearer token; the watermark advances only when the run's load commits.
@Suite("REST API sources: pages, rate limits, watermarks", .serialized, .timeLimit(.minutes(3)))
struct APISourceTests {
    static let token = "tok-not-a-real-secret-42"

    /// The orders the API holds; tests add more between runs.
    final class Orders: @unchecked Sendable {
        private let lock = NSLock()
        private var rows: [(id: Int, amount: String, updated: String)] = (1...5).map { ($0, "\($0)0.25", "2026-11-21T0\($0):00:00Z") }
        func add(_ id: Int) { lock.withLock { rows.append((id, "\(id).75", "2026-11-22T0\(id - 5):00:00Z")) } }
        func after(_ since: String) -> [(id: Int, amount: String, updated: String)] { lock.withLock { rows.filter { $0.updated > since } } }
    }

    /// With `faults`, the second request is throttled (429, Retry-After 1) and the fourth fails (500).
    func server(_ orders: Orders, faults: Bool = true) async throws -> TestHTTPServer {
        try await TestHTTPServer { request, index in
            guard request.headers["authorization"] == "Bearer \(APISourceTests.token)" else { return .init(status: 401) }
            if faults && index == 1 { return .init(status: 429, headers: ["Retry-After": "1"]) }
            if faults && index == 3 { return .init(status: 500) }
            let all = orders.after(request.query["since"] ?? "")
            let start = request.query["cursor"].flatMap { c in all.firstIndex { String($0.id) == c }.map { $0 + 1 } } ?? 0
            let page = Array(all[min(start, all.count)..<min(start + 2, all.count)])
            let items = page.map { ["id": $0.id, "amount": $0.amount, "updated_at": $0.updated] as [String: Any] }
            let next: Any = start + 2 < all.count ? String(page.last!.id) : NSNull()
            let body = try! JSONSerialization.data(withJSONObject: ["data": ["items": items], "meta": ["next_cursor": next]])
            return .init(status: 200, body: body, headers: ["Content-Type": "application/json"])
        }
    }

    func home(api: TestHTTPServer) throws -> TestHome {
        let home = try TestHome()
        try home.write("playbooks/orders.yml", """
            retry: { attempts: 1 }
            steps:
              - { name: fetch, skill: orders-api }
              - { name: schema, skill: contract }
              - { name: gate, skill: gate }
              - { name: load, skill: load }
            """)
        try home.write("skills/orders-api.yml", """
            kind: fetch
            source: "\(api.baseURL)/orders"
            api:
              query: { since: "{watermark}" }
              headers: { Authorization: "Bearer {env.ORDERS_TOKEN}" }
              records: data.items
              pagination: { cursor: meta.next_cursor, param: cursor }
              rate_limit: 20
              watermark: { field: updated_at }
            """)
        try home.write("skills/contract.yml", "kind: validate_schema\ncolumns:\n  - { name: id, type: integer }\n  - { name: amount, type: decimal }\n  - { name: updated_at, type: string }\n")
        // A step that fails while the file `hold` exists: the run dies after fetching, before its load.
        try home.write("skills/gate.yml", "kind: command\nrun: [sh, -c, \"test ! -e hold\"]\n")
        try home.write("skills/load.yml", "kind: load\ntarget: sqlite:warehouse.db\ntable: orders\nkey: [id]\n")
        return home
    }

    func ids(_ home: TestHome) throws -> [Int] {
        try DatabaseQueue(path: home.url("warehouse.db").path).read { try Int.fetchAll($0, sql: "SELECT id FROM orders ORDER BY id") }
    }

    func watermark(_ home: TestHome) throws -> String? {
        try DatabaseQueue(path: home.url("metadata.db").path).read { try String.fetchOne($0, sql: "SELECT value FROM watermarks") }
    }

    @Test func pagesRetriesAndAWatermarkThatWaitsForTheLoad() async throws {
        let orders = Orders()
        let api = try await server(orders)
        defer { Task { await api.stop() } }
        let home = try self.home(api: api)
        defer { home.remove() }
        let environment = ["ORDERS_TOKEN": APISourceTests.token]

        // Run 1 fetches everything, then dies before its load: nothing loaded, no watermark.
        try home.write("hold", "")
        let stopped = try await HealProcess.run(["run", "orders", "--date", "2026-11-21"], home: home, environment: environment)
        #expect(stopped.status == 1)
        #expect(stopped.stdout.contains("(5 records in 3 pages)"), "\(stopped.stdout)")
        #expect(try watermark(home) == nil)
        let first = await api.requests()
        // Page 2 was throttled: asked again a second later; page 3 failed once with 500 and was asked again.
        #expect(first.count == 5)
        #expect(first[2].at - first[1].at >= .milliseconds(950))
        #expect(first[1].query["cursor"] == "2" && first[2].query["cursor"] == "2" && first[3].query["cursor"] == "4" && first[4].query["cursor"] == "4")
        #expect(first.allSatisfy { $0.query["since"] == "" })

        // Run 2 fetches the same slice again (the watermark did not move) and loads it.
        try FileManager.default.removeItem(at: home.url("hold"))
        let loaded = try await HealProcess.run(["run", "orders", "--date", "2026-11-21"], home: home, environment: environment)
        #expect(loaded.status == 0, "\(loaded.stdout)\(loaded.stderr)")
        #expect(try ids(home) == [1, 2, 3, 4, 5])
        #expect(try watermark(home) == "2026-11-21T05:00:00Z")

        // Two new orders: run 3 asks only for what came after the watermark; none missing, none twice.
        orders.add(6)
        orders.add(7)
        let next = try await HealProcess.run(["run", "orders", "--date", "2026-11-22"], home: home, environment: environment)
        #expect(next.status == 0, "\(next.stdout)\(next.stderr)")
        #expect(try ids(home) == [1, 2, 3, 4, 5, 6, 7])
        #expect(try watermark(home) == "2026-11-22T02:00:00Z")
        let last = await api.requests().suffix(1)
        #expect(last.first?.query["since"] == "2026-11-21T05:00:00Z")

        // Nothing new the next night: a quiet skip (exit 0), no alert, nothing loaded, the watermark unchanged.
        let quiet = try await HealProcess.run(["run", "orders", "--date", "2026-11-23"], home: home, environment: environment)
        #expect(quiet.status == 0, "\(quiet.stdout)\(quiet.stderr)")
        #expect(quiet.stdout.contains("no new records since the watermark; nothing to load") && quiet.stdout.contains("skipped"), "\(quiet.stdout)")
        #expect(!quiet.stderr.contains("ALERT"))
        #expect(try ids(home) == [1, 2, 3, 4, 5, 6, 7])
        #expect(try watermark(home) == "2026-11-22T02:00:00Z")
        #expect(await api.requests().last?.query["since"] == "2026-11-22T02:00:00Z")
        for output in [stopped.stdout, stopped.stderr, loaded.stdout, loaded.stderr, next.stdout, next.stderr] {
            #expect(!output.contains(APISourceTests.token))
        }
    }

    /// Three pages at one request per second take at least two seconds, measured on the client (a server's own
    /// clock can bunch requests it handled late).
    @Test func theRateLimitSpacesRequests() async throws {
        let api = try await server(Orders(), faults: false)
        defer { Task { await api.stop() } }
        let home = try self.home(api: api)
        defer { home.remove() }
        try home.write("skills/orders-api.yml", try home.read("skills/orders-api.yml").replacingOccurrences(of: "rate_limit: 20", with: "rate_limit: 1"))
        let started = ContinuousClock.now
        let run = try await HealProcess.run(["run", "orders", "--date", "2026-11-21"], home: home, environment: ["ORDERS_TOKEN": APISourceTests.token])
        let elapsed = ContinuousClock.now - started
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(await api.requests().count == 3)
        #expect(elapsed >= .seconds(2))
    }

    @Test func aWrongTokenIsAClearFailure() async throws {
        let api = try await server(Orders())
        defer { Task { await api.stop() } }
        let home = try self.home(api: api)
        defer { home.remove() }
        let denied = try await HealProcess.run(["run", "orders", "--date", "2026-11-21"], home: home, environment: ["ORDERS_TOKEN": "wrong"])
        #expect(denied.status == 1 && denied.stdout.contains("answered HTTP 401: access denied"), "\(denied.stdout)")
        #expect(try watermark(home) == nil)
    }

    @Test func linkHeadersNameTheNextPage() {
        #expect(APISourceTestsSupport.nextLink("<https://api.test/o?page=2>; rel=\"next\", <https://api.test/o?page=9>; rel=\"last\"") == "https://api.test/o?page=2")
        #expect(APISourceTestsSupport.nextLink("<https://api.test/o?page=9>; rel=\"last\"") == nil)
    }
}

/// The header parsers, reached through the library's public surface.
enum APISourceTestsSupport {
    static func nextLink(_ header: String) -> String? { APILinkHeader.next(header) }
}
