import Foundation
import GRDB
import HealKit
import HealTesting
import Testing

/// The `sql` kind (issue 18, item 1): one query against the warehouse and the answer it must give, added through
/// the skill registry. Parameters are bound, never spliced; a wrong answer fails the step with its own class.
@Suite("sql skill", .serialized, .timeLimit(.minutes(3)))
struct SQLSkillTests {
    static let afterLoad = """
        steps:
          - { name: fetch, skill: fetch-sales }
          - { name: schema, skill: sales-contract }
          - { name: transform, skill: sales-transform }
          - { name: load, skill: sales-load }
          - { name: day-rows, skill: day-rows }
        """

    func attempts(_ home: TestHome) throws -> [Row] {
        try DatabaseQueue(path: home.url("metadata.db").path).read {
            try Row.fetchAll($0, sql: "SELECT step, kind, outcome, failure_class, details FROM attempts ORDER BY rowid")
        }
    }

    /// After the example's load, a query with the date and a `--var` bound as parameters answers as expected; the
    /// same query with a stricter expectation fails the run as a quality violation and says what it got.
    @Test func aQueryAfterTheLoadPassesOrFailsOnItsAnswer() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write("playbooks/sales-daily.yml", Self.afterLoad)
        try home.write("skills/day-rows.yml", """
            kind: sql
            query: SELECT count(*) FROM sales WHERE _heal_date = ? AND amount > ?
            params: ["{date}", "{var.min_amount}"]
            expect: "> 100"
            """)
        let good = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18", "--var", "min_amount=0"], home: home)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        let loaded = try await DatabaseQueue(path: home.url("warehouse.db").path).read {
            try Int.fetchOne($0, sql: "SELECT count(*) FROM sales WHERE _heal_date = '2026-11-18' AND amount > 0")
        }
        let passed = try attempts(home).last { $0["step"] == "day-rows" }
        #expect(passed?["kind"] == "sql" && passed?["outcome"] == "pass", "\(String(describing: passed))")
        #expect((passed?["details"] as String?) == "the query answered \(loaded ?? -1), as expected (> 100)")

        try home.write("skills/day-rows.yml", """
            kind: sql
            query: SELECT count(*) FROM sales WHERE _heal_date = ? AND amount > ?
            params: ["{date}", "{var.min_amount}"]
            expect: 0
            failure_class: volume_anomaly
            """)
        let bad = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18", "--var", "min_amount=0", "--force"], home: home)
        #expect(bad.status == 1, "\(bad.stdout)\(bad.stderr)")
        let failed = try attempts(home).last { $0["step"] == "day-rows" }
        #expect(failed?["outcome"] == "fail" && failed?["failure_class"] == "volume_anomaly", "\(String(describing: failed))")
        #expect((failed?["details"] as String?) == "the query answered \(loaded ?? -1); expected 0")
    }

    /// A value meant to break out of the query is bound as text: the table survives and the count is what the
    /// text compares to, not what the injected SQL would say.
    @Test func aParameterIsNeverSplicedIntoTheQuery() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write("playbooks/sales-daily.yml", Self.afterLoad)
        try home.write("skills/day-rows.yml", """
            kind: sql
            query: SELECT count(*) FROM sales WHERE store = ?
            params: ["{var.store}"]
            expect: 0
            """)
        let hostile = "x' OR '1'='1'; DROP TABLE sales; --"
        let run = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18", "--var", "store=\(hostile)"], home: home)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let rows = try await DatabaseQueue(path: home.url("warehouse.db").path).read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sales") }
        #expect((rows ?? 0) > 100, "the table is still there and full")
    }

    /// Bad settings are caught by `heal check` with file:line:column: no query, no expectation, a failure class
    /// that is not about data, a password in the target, an unknown setting; no warehouse and a broken query are
    /// configuration failures of the run.
    @Test func badSettingsAndBrokenQueriesAreConfigurationProblems() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write("playbooks/sales-daily.yml", Self.afterLoad)
        let cases: [(String, String)] = [
            ("kind: sql\nexpect: 0\n", "skills/day-rows.yml:1:1: missing required setting 'query'"),
            ("kind: sql\nquery: SELECT 1\n", "skills/day-rows.yml:1:1: missing required setting 'expect'"),
            ("kind: sql\nquery: SELECT 1\nexpect: 1\nfailure_class: transient\n", "skills/day-rows.yml:4:16: a wrong answer is one of"),
            ("kind: sql\nquery: SELECT 1\nexpect: 1\ntarget: postgres://u:secret@h/db\n", "skills/day-rows.yml:4:9: a password in the target"),
            ("kind: sql\nquery: SELECT 1\nexpect: 1\nexpected: 2\n", "skills/day-rows.yml:4:1: unknown setting 'expected'"),
        ]
        for (yaml, message) in cases {
            try home.write("skills/day-rows.yml", yaml)
            let check = try await HealProcess.run(["check"], home: home)
            #expect(check.status == 2 && check.stderr.contains(message), "\(yaml)\n\(check.stdout)\(check.stderr)")
            #expect(!check.stderr.contains("secret"), "\(check.stderr)")
        }

        try home.write("skills/day-rows.yml", "kind: sql\nquery: SELECT count(*) FROM no_such_table\nexpect: 0\n")
        let broken = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home)
        #expect(broken.status == 1)
        let failed = try attempts(home).last { $0["step"] == "day-rows" }
        #expect(failed?["failure_class"] == "configuration", "\(String(describing: failed))")
        #expect((failed?["details"] as String?)?.contains("no such table: no_such_table") == true, "\(String(describing: failed))")

        try home.write("playbooks/lonely.yml", "steps:\n  - { name: ask, skill: day-rows }\n")
        let lonely = try await HealProcess.run(["run", "lonely", "--date", "2026-11-18"], home: home)
        #expect(lonely.status == 1)
        #expect(lonely.stdout.contains("no warehouse to ask: set target in skills/day-rows.yml"), "\(lonely.stdout)\(lonely.stderr)")
    }

    /// Against PostgreSQL: `$1` is bound (a date compared as a date), the target is tried by `heal check --connect`
    /// with PGPASSWORD, and the password is never printed.
    @Test func postgresBindsParametersAndConnects() async throws {
        let postgres = try await TestPostgres.server()
        let url = try await TestPostgres.freshDatabase(on: postgres)
        _ = try await TestPostgres.psql(url, password: postgres.password, """
            CREATE TABLE orders (id integer, day date, amount numeric);
            INSERT INTO orders VALUES (1, '2026-11-18', 10.5), (2, '2026-11-18', 4), (3, '2026-11-17', -1);
            """)
        let home = try TestHome()
        defer { home.remove() }
        try home.write("playbooks/orders.yml", "steps:\n  - { name: total, skill: day-total }\n")
        try home.write("skills/day-total.yml", """
            kind: sql
            target: \(url)
            query: SELECT sum(amount) FROM orders WHERE day = $1::date
            params: ["{date}"]
            expect: 14.5
            """)
        let environment = ["PGPASSWORD": postgres.password]
        let good = try await HealProcess.run(["run", "orders", "--date", "2026-11-18"], home: home, environment: environment)
        #expect(good.status == 0, "\(good.stdout)\(good.stderr)")
        let bad = try await HealProcess.run(["run", "orders", "--date", "2026-11-17"], home: home, environment: environment)
        #expect(bad.status == 1, "\(bad.stdout)\(bad.stderr)")
        #expect(try attempts(home).last?["details"] == "the query answered -1; expected 14.5")
        let connect = try await HealProcess.run(["check", "--connect", "--date", "2026-11-18"], home: home, environment: environment)
        #expect(connect.status == 0, "\(connect.stdout)\(connect.stderr)")
        #expect(connect.stdout.contains("day-total") && connect.stdout.contains("target"), "\(connect.stdout)")
        for output in [good.stdout, good.stderr, bad.stdout, bad.stderr, connect.stdout, connect.stderr] {
            #expect(!output.contains(postgres.password))
        }
    }

    @Test func expectationsCompareNumbersAsNumbers() {
        #expect(SQLExpectation(parsing: "> 0") == .compare(.greater, 0))
        #expect(SQLExpectation(parsing: ">=100") == .compare(.atLeast, 100))
        #expect(SQLExpectation(parsing: "13.5") == .equals("13.5"))
        #expect(SQLExpectation(parsing: "=> 3") == .equals("=> 3"), "not an operator heal knows: a value")
        #expect(SQLExpectation(parsing: "> 0").holds(for: "3") && !SQLExpectation(parsing: "> 0").holds(for: "0"))
        #expect(!SQLExpectation(parsing: "> 0").holds(for: nil) && !SQLExpectation(parsing: "> 0").holds(for: "many"))
        #expect(SQLExpectation(parsing: "3").holds(for: "3.0") && SQLExpectation(parsing: "null").holds(for: nil))
        #expect(SQLExpectation(parsing: "!= 0").holds(for: "-2") && SQLExpectation(parsing: "<= 1.5").holds(for: "1.5"))
        #expect("\(SQLExpectation(parsing: ">= 100"))" == ">= 100" && "\(SQLExpectation(parsing: "< 0.5"))" == "< 0.5")
    }
}
