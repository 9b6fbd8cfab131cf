import Foundation
import GRDB
import HealKit
import HealTesting
import Testing

/// One skill at a time, on real files in a throwaway home.
@Suite("Skills: pass and fail with the right failure class", .timeLimit(.minutes(3)))
struct SkillTests {
    static let contract = """
        kind: validate_schema
        columns:
          - { name: id, type: integer }
          - { name: day, type: date, formats: [yyyy-MM-dd, MM/dd/yyyy] }
          - { name: amount, type: decimal }
          - { name: ok, type: boolean, required: false }
        """

    func fixture(_ files: [String: String]) throws -> PipelineFixture {
        let home = try TestHome()
        try home.write("playbooks/t.yml", "steps:\n  - skill: schema\n")
        try home.write("skills/schema.yml", SkillTests.contract)
        for (path, text) in files { try home.write(path, text) }
        return try PipelineFixture(home: home)
    }

    func input(_ fixture: PipelineFixture, _ path: String, columns: [ColumnSpec]? = nil) throws -> StepInput {
        let url = fixture.home.url(path)
        let digest = try FileDigest.sha256(of: url)
        return StepInput(stepIndex: 1, stepName: "step", artifact: Artifact(url: url, sha256: digest.sha256, bytes: digest.bytes, columns: columns))
    }

    func run(_ fixture: PipelineFixture, _ skill: String, _ input: StepInput) async throws -> SkillResult {
        do {
            return try await fixture.skill(skill).run(input, in: try fixture.context(pipeline: "t"))
        } catch let failure as SkillFailure {
            return .fail(failure.failureClass, failure.details)
        }
    }

    // MARK: fetch

    @Test func fetchCopiesALocalFileIntoStaging() async throws {
        let f = try fixture(["skills/get.yml": "kind: fetch\nsource: landing/in_{date:yyyyMMdd}.csv\nmin_bytes: 5\n",
                             "landing/in_20261119.csv": "id\n1\n"])
        defer { f.home.remove() }
        let result = try await run(f, "get", StepInput(stepIndex: 0, stepName: "fetch", artifact: nil))
        #expect(result.outcome == .pass)
        let artifact = try #require(result.artifact)
        #expect(artifact.url.path.hasSuffix("staging/t/test-run/01-fetch.csv"))
        #expect(try String(contentsOf: artifact.url, encoding: .utf8) == "id\n1\n")
        #expect(artifact.sha256 == (try FileDigest.sha256(of: f.home.url("landing/in_20261119.csv"))).sha256)
        #expect(f.home.files(under: "staging/t/test-run") == ["01-fetch.csv"])
    }

    @Test func fetchFailuresAreClassified() async throws {
        let f = try fixture([
            "skills/missing.yml": "kind: fetch\nsource: landing/none.csv\n",
            "skills/small.yml": "kind: fetch\nsource: landing/tiny.csv\nmin_bytes: 100\n",
            "skills/sum.yml": "kind: fetch\nsource: landing/tiny.csv\nsha256: \"\(String(repeating: "0", count: 64))\"\n",
            "landing/tiny.csv": "id\n",
        ])
        defer { f.home.remove() }
        let start = StepInput(stepIndex: 0, stepName: "fetch", artifact: nil)
        let missing = try await run(f, "missing", start)
        #expect(missing.failureClass == .sourceMissing)
        #expect(missing.details == "no file at landing/none.csv")
        let small = try await run(f, "small", start)
        #expect(small.failureClass == .transient)
        #expect(small.details.contains("3 bytes, fewer than min_bytes 100"))
        let sum = try await run(f, "sum", start)
        #expect(sum.failureClass == .transient)
        #expect(sum.details.contains("expected 0000"))
    }

    @Test func fetchOverHTTPMapsStatusesToClasses() async throws {
        let server = try await TestHTTPServer { request, _ in
            switch request.path {
            case "/ok.csv": return .init(status: 200, body: Data("id\n1\n2\n".utf8))
            case "/busy.csv": return .init(status: 503)
            case "/slow.csv":
                try? await Task.sleep(for: .seconds(3))
                return .init(status: 200, body: Data("id\n".utf8))
            default: return .init(status: 404)
            }
        }
        defer { Task { await server.stop() } }
        let f = try fixture([
            "skills/ok.yml": "kind: fetch\nsource: \(server.baseURL)/ok.csv\n",
            "skills/busy.yml": "kind: fetch\nsource: \(server.baseURL)/busy.csv\n",
            "skills/gone.yml": "kind: fetch\nsource: \(server.baseURL)/gone.csv\n",
            "skills/slow.yml": "kind: fetch\nsource: \(server.baseURL)/slow.csv\ntimeout_seconds: 1\n",
        ])
        defer { f.home.remove() }
        let start = StepInput(stepIndex: 0, stepName: "fetch", artifact: nil)
        let ok = try await run(f, "ok", start)
        #expect(ok.outcome == .pass)
        #expect(ok.artifact?.bytes == 7)
        #expect((try await run(f, "busy", start)).failureClass == .transient)
        let gone = try await run(f, "gone", start)
        #expect(gone.failureClass == .sourceMissing)
        #expect(gone.details.contains("HTTP 404"))
        let slow = try await run(f, "slow", start)
        #expect(slow.failureClass == .transient)
        #expect(f.home.files(under: "staging").allSatisfy { !$0.hasSuffix(".tmp") })
    }

    // MARK: validate_schema

    @Test func schemaPassesAndTypesTheArtifact() async throws {
        let f = try fixture(["in.csv": "id,day,amount,ok,extra\n1,2026-11-19,10.50,true,x\n2,11/19/2026,3,no,\n"])
        defer { f.home.remove() }
        let result = try await run(f, "schema", try input(f, "in.csv"))
        #expect(result.outcome == .pass)
        #expect(result.rows.read == 2)
        #expect(result.artifact?.columns?.map(\.type) == [.integer, .date, .decimal, .boolean, .string])
    }

    @Test func schemaMissingColumnIsSchemaMismatchWithAHint() async throws {
        let f = try fixture(["in.csv": "id,day,amout\n1,2026-11-19,3\n"])
        defer { f.home.remove() }
        let result = try await run(f, "schema", try input(f, "in.csv"))
        #expect(result.failureClass == .schemaMismatch)
        #expect(result.details.contains("missing required column: amount (found 'amout')"))
        #expect(result.figures["failing_rows"] == nil)
    }

    @Test func schemaBadValuesAreRowLevelParseErrors() async throws {
        let f = try fixture(["in.csv": "id,day,amount\n1,2026-11-19,3\nx,2026-11-19,3\n3,2026-02-30,3\n4,2026-11-19,NaN\n5,2026-11-19\n"])
        defer { f.home.remove() }
        let result = try await run(f, "schema", try input(f, "in.csv"))
        #expect(result.failureClass == .parseError)
        #expect(result.figures["failing_rows"] == 4)
        #expect(result.details.contains("4 of 5 rows fail"))
        #expect(result.details.contains("line 3: id 'x' is not an integer"))
        #expect(result.details.contains("line 4: day '2026-02-30' is not a date (yyyy-MM-dd or MM/dd/yyyy)"))
        #expect(result.details.contains("line 6: the row has 2 fields, the header has 3"))
    }

    @Test func schemaMalformedFileNamesTheLine() async throws {
        let f = try fixture(["in.csv": "id,day,amount\n1,2026-11-19,3\n2,\"2026-11-19,3\n"])
        defer { f.home.remove() }
        let result = try await run(f, "schema", try input(f, "in.csv"))
        #expect(result.failureClass == .parseError)
        // The broken line is a row to set aside, named by its line; the rows before it stay rows.
        #expect(result.details.contains("in.csv: 1 of 2 rows fail (unclosed_quote: 1); e.g. line 3: a quote opened on this line is not closed on it"))
        #expect(result.rejected?.rows == RowSet([2]))
    }

    // MARK: validate_quality

    static let quality = """
        kind: validate_quality
        rules:
          - not_null: [id]
          - range: { column: amount, min: 0.01, max: 100 }
          - allowed: { column: channel, values: [web, shop] }
          - pattern: { column: id, regex: "^[0-9]+$" }
          - unique: [id]
          - row_count: { within_pct: 20, history: 3 }
        """

    @Test func qualityCountsEachRule() async throws {
        let f = try fixture(["skills/q.yml": SkillTests.quality,
                             "in.csv": "id,amount,channel\n1,5,web\n,5,web\n2,0,web\n3,5,fax\nA4,5,shop\n1,7,shop\n 5 ,100,shop\t\n"])
        defer { f.home.remove() }
        let result = try await run(f, "q", try input(f, "in.csv"))
        #expect(result.failureClass == .qualityViolation)
        #expect(result.figures["failing_rows"] == 5)
        #expect(result.details.hasPrefix("5 of 7 rows fail (not_null id: 1, range amount: 1, allowed channel: 1, pattern id: 1, unique id: 1)"))
        #expect(result.details.contains("line 4: amount 0 is below the minimum 0.01"))
        #expect(result.details.contains("line 7: id '1' was already seen earlier in the file"))
    }

    /// The re-check after a quarantine is answered from the first pass; a full second pass must agree, on a file
    /// with rows already left out by an earlier quarantine and many duplicate keys.
    @Test func derivedRecheckAgreesWithAFullSecondPass() async throws {
        var rng = SplitMix(seed: 7)
        var lines = ["id,amount,channel"]
        for _ in 0..<3000 {
            let id = rng.next() % 13 == 0 ? "" : String(rng.next() % 900)
            let amount = String(rng.next() % 120)
            let channel = ["web", "shop", "fax"][Int(rng.next() % 3)]
            lines.append("\(id),\(amount),\(channel)")
        }
        let f = try fixture(["skills/q.yml": SkillTests.quality.replacingOccurrences(of: "  - row_count: { within_pct: 20, history: 3 }\n", with: ""),
                             "in.csv": lines.joined(separator: "\n") + "\n"])
        defer { f.home.remove() }
        let skill = try #require(try f.skill("q") as? ValidateQualitySkill)
        var checked = try input(f, "in.csv")
        checked.artifact!.excluded = RowSet(Array(stride(from: 5, to: 3000, by: 37)))
        let context = try f.context(pipeline: "t")
        let failed = try await skill.run(checked, in: context)
        let rejected = try #require(failed.rejected)
        #expect(failed.failureClass == .qualityViolation && rejected.rows.count > 500)
        var view = checked.artifact!
        view.excluded = checked.artifact!.excluded!.union(rejected.rows)
        view.rows = failed.figures["rows"]! - rejected.rows.count
        #expect(ValidateQualitySkill.isOwnQuarantine(view, of: checked.artifact!, after: failed))
        var viewInput = checked
        viewInput.artifact = view
        let full = try await skill.run(viewInput, in: context)
        let derived = try skill.recheck(view, after: failed, input: viewInput, in: context)
        #expect(full.outcome == .pass && derived.outcome == .pass)
        #expect(full.figures["rows"] == derived.figures["rows"])
        // One rejected row put back: not this check's own quarantine, and a full pass finds it again.
        var partial = view
        partial.excluded = checked.artifact!.excluded!.union(RowSet(Array(rejected.rows.rows.dropFirst())))
        #expect(!ValidateQualitySkill.isOwnQuarantine(partial, of: checked.artifact!, after: failed))
        viewInput.artifact = partial
        #expect(try await skill.run(viewInput, in: context).figures["failing_rows"] == 1)
    }

    @Test func qualityRowCountAgainstHistory() async throws {
        let f = try fixture(["skills/q.yml": SkillTests.quality, "in.csv": "id,amount,channel\n1,5,web\n2,5,web\n"])
        defer { f.home.remove() }
        // No history: passes.
        #expect((try await run(f, "q", try input(f, "in.csv"))).outcome == .pass)
        for (n, day) in ["2026-11-16", "2026-11-17", "2026-11-18"].enumerated() {
            try f.store.insertRun(RunRecord(id: "h\(n)", pipeline: "t", logicalDate: day, status: "succeeded", startedAt: "2026-11-20T00:00:0\(n)Z", rowsRead: 10 + n))
        }
        let result = try await run(f, "q", try input(f, "in.csv"))
        #expect(result.failureClass == .volumeAnomaly)
        #expect(result.details.hasPrefix("2 rows is 81.8% away from the median 11 of the last 3 runs (allowed ±20%)"))
    }

    @Test func qualityRuleOnMissingColumnIsSchemaMismatch() async throws {
        let f = try fixture(["skills/q.yml": SkillTests.quality, "in.csv": "id,amt,channel\n1,5,web\n"])
        defer { f.home.remove() }
        let result = try await run(f, "q", try input(f, "in.csv"))
        #expect(result.failureClass == .schemaMismatch)
        #expect(result.details.contains("names column 'amount'"))
    }

    // MARK: transform

    @Test func transformCleansDedupesEnrichesAndComputes() async throws {
        let f = try fixture([
            "skills/tx.yml": """
                kind: transform
                snake_case_names: true
                trim: true
                null_tokens: ["NULL", "N/A"]
                iso_dates: true
                dedupe: { key: [sale_id] }
                lookup: { file: ref/products.csv, key: product_id, columns: [category] }
                computed:
                  - { name: tax, expr: "round(amount * 0.08, 2)", type: decimal }
                """,
            "ref/products.csv": "product_id,category\nP1,toys\nP2,home\n",
            "in.csv": "SaleID,Day,amount,ProductID\n S1 ,11/19/2026,19.99,P1\nS2,2026-11-18,NULL,P2\nS1,2026-11-19,1,P1\nS3,2026-11-19,0.0625,P9\n",
        ])
        defer { f.home.remove() }
        let columns = [ColumnSpec(name: "SaleID"), ColumnSpec(name: "Day", type: .date, formats: [.iso, DateFormat("MM/dd/yyyy")!]),
                       ColumnSpec(name: "amount", type: .decimal), ColumnSpec(name: "ProductID")]
        let result = try await run(f, "tx", try input(f, "in.csv", columns: columns))
        #expect(result.outcome == .pass)
        #expect(result.rows == RowDelta(read: 4, deduplicated: 1))
        let artifact = try #require(result.artifact)
        #expect(try String(contentsOf: artifact.url, encoding: .utf8) == """
            _heal_source_line,sale_id,day,amount,product_id,category,tax
            2,S1,2026-11-19,19.99,P1,toys,1.6
            3,S2,2026-11-18,,P2,home,
            5,S3,2026-11-19,0.0625,P9,,0.01

            """)
        #expect(artifact.columns?.last?.type == .decimal)
        #expect(artifact.rows == 3)
    }

    /// Computed numbers are written digit by digit (issue 19): signs, leading and trailing zeros, scale, rounding half away.
    @Test func computedNumbersAreWrittenAsPlainText() async throws {
        let f = try fixture([
            "skills/tx.yml": """
                kind: transform
                computed:
                  - { name: same, expr: "amount * 1", type: decimal }
                  - { name: less, expr: "amount - 100", type: decimal }
                  - { name: milli, expr: "round(amount * 0.001, 4)", type: decimal }
                  - { name: whole, expr: "round(amount)", type: decimal }
                """,
            "in.csv": "amount\n0.05\n-0.5\n100\n1234567.891\n0\n-12.30\n0.5\n",
        ])
        defer { f.home.remove() }
        let result = try await run(f, "tx", try input(f, "in.csv", columns: [ColumnSpec(name: "amount", type: .decimal)]))
        #expect(result.outcome == .pass, "\(result.details)")
        let artifact = try #require(result.artifact)
        #expect(try String(contentsOf: artifact.url, encoding: .utf8) == """
            _heal_source_line,amount,same,less,milli,whole
            2,0.05,0.05,-99.95,0.0001,0
            3,-0.5,-0.5,-100.5,-0.0005,-1
            4,100,100,0,0.1,100
            5,1234567.891,1234567.891,1234467.891,1234.5679,1234568
            6,0,0,-100,0,0
            7,-12.30,-12.3,-112.3,-0.0123,-12
            8,0.5,0.5,-99.5,0.0005,1

            """)
    }

    // MARK: load and health_check

    func loadFixture() throws -> PipelineFixture {
        try fixture([
            "skills/ld.yml": "kind: load\ntarget: sqlite:wh/warehouse.db\ntable: sales\nkey: [id]\n",
            "skills/hc.yml": "kind: health_check\ntarget: sqlite:wh/warehouse.db\ntable: sales\nchecks:\n  - { name: total, sql: \"SELECT sum(amount) FROM sales\", expect: 13.5 }\n",
            "a.csv": "id,amount,name\n1,10.5,\"O'Hara; DROP TABLE sales\"\n2,3,\n",
            "b.csv": "id,amount,name\n3,1,x\n",
            "c.csv": "id,amount,name\n1,99,dup-of-first-day\n",
        ])
    }

    let typed = [ColumnSpec(name: "id", type: .integer), ColumnSpec(name: "amount", type: .decimal), ColumnSpec(name: "name")]

    @Test func loadWritesRowsAndLedgerThenSkipsTheSameInput() async throws {
        let f = try loadFixture()
        defer { f.home.remove() }
        let context = try f.context(pipeline: "t")
        var a = try input(f, "a.csv", columns: typed)
        a.sourceSHA256 = "sha-a"
        let load = try f.skill("ld")
        let first = try await load.run(a, in: context)
        #expect(first.outcome == .pass)
        #expect(first.rows.loaded == 2)
        let db = try DatabaseQueue(path: f.home.url("wh/warehouse.db").path)
        let rows = try db.read { try Row.fetchAll($0, sql: "SELECT id, amount, name, _heal_run, _heal_date FROM sales ORDER BY id") }
        #expect(rows.map { $0["name"] as String? } == ["O'Hara; DROP TABLE sales", nil])
        #expect(rows.map { $0["amount"] as Double } == [10.5, 3])
        #expect(rows.allSatisfy { $0["_heal_run"] == "test-run" && $0["_heal_date"] == "2026-11-19" })
        let ledger = try db.read { try Row.fetchAll($0, sql: "SELECT pipeline, logical_date, input_sha256, rows FROM _heal_loads") }
        #expect(ledger.count == 1)
        #expect(ledger.first?["input_sha256"] == "sha-a")
        #expect(ledger.first?["rows"] == 2)

        let health = try await f.skill("hc").run(StepInput(stepIndex: 2, stepName: "hc", artifact: nil), in: context)
        #expect(health.outcome == .pass)

        let again = try await load.run(a, in: context)
        #expect(again.outcome == .skip)
        var changed = try input(f, "b.csv", columns: typed)
        changed.sourceSHA256 = "sha-b"
        let refused = try await load.run(changed, in: context)
        #expect(refused.failureClass == .constraintViolation)
        #expect(refused.details.contains("different input"))
        #expect(try count(db, "SELECT count(*) FROM sales") == 2)
    }

    @Test func loadKeyConflictRollsBackTheWholeFile() async throws {
        let f = try loadFixture()
        defer { f.home.remove() }
        let load = try f.skill("ld")
        _ = try await load.run(try input(f, "a.csv", columns: typed), in: try f.context(pipeline: "t", date: "2026-11-18"))
        let conflict = try await run(f, "ld", try input(f, "c.csv", columns: typed))
        #expect(conflict.failureClass == .constraintViolation)
        #expect(conflict.details.contains("source line 2:"))
        let db = try DatabaseQueue(path: f.home.url("wh/warehouse.db").path)
        #expect(try count(db, "SELECT count(*) FROM sales") == 2)
        #expect(try count(db, "SELECT count(*) FROM _heal_loads") == 1)
    }

    @Test func healthCheckFailsOnAWrongAnswer() async throws {
        let f = try loadFixture()
        defer { f.home.remove() }
        let context = try f.context(pipeline: "t")
        var b = try input(f, "b.csv", columns: typed)
        b.sourceSHA256 = "sha-b"
        _ = try await f.skill("ld").run(b, in: context)
        let health = try await f.skill("hc").run(StepInput(stepIndex: 2, stepName: "hc", artifact: nil), in: context)
        #expect(health.failureClass == .qualityViolation)
        #expect(health.details == "total: expected 13.5, got 1")
    }

    // MARK: command

    @Test func commandExitCodeAndJSON() async throws {
        let f = try fixture([
            "skills/good.yml": "kind: command\nrun: [sh, -c, 'echo \"{{\\\"details\\\": \\\"checked $HEAL_DATE\\\", \\\"figures\\\": {{\\\"rows\\\": 7}}}}\"']\n",
            "skills/bad.yml": "kind: command\nrun: [sh, bin/bad.sh]\n",
            "bin/bad.sh": "echo '{\"failure_class\": \"transient\", \"details\": \"api down\"}'\nexit 3\n",
            "skills/plain.yml": "kind: command\nrun: [sh, -c, 'echo oops >&2; exit 1']\n",
        ])
        defer { f.home.remove() }
        let start = StepInput(stepIndex: 0, stepName: "cmd", artifact: nil)
        let good = try await run(f, "good", start)
        #expect(good.outcome == .pass)
        #expect(good.details == "checked 2026-11-19")
        #expect(good.figures["rows"] == 7)
        let bad = try await run(f, "bad", start)
        #expect(bad.failureClass == .transient)
        #expect(bad.details == "api down")
        let plain = try await run(f, "plain", start)
        #expect(plain.failureClass == .internal)
        #expect(plain.details == "sh exited 1: oops")
    }

    /// A rule, a dedupe key or a lookup naming a column the file lacks: one wording, the nearest name, and a list of
    /// the columns cut short however wide the file.
    @Test func aMissingColumnIsNamedWithItsNearestAndABoundedList() async throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("playbooks/p.yml", "steps:\n  - { name: fetch, skill: f }\n  - { name: quality, skill: r }\n  - { name: load, skill: l }\n")
        try home.write("playbooks/t.yml", "steps:\n  - { name: fetch, skill: f }\n  - { name: shape, skill: x }\n  - { name: load, skill: l }\n")
        try home.write("skills/f.yml", "kind: fetch\nsource: landing/in.csv\n")
        try home.write("skills/r.yml", "kind: validate_quality\nrules:\n  - not_null: [amont]\n")
        try home.write("skills/x.yml", "kind: transform\ndedupe: { key: [idd] }\n")
        try home.write("skills/l.yml", "kind: load\ntarget: sqlite:warehouse.db\ntable: t\n")
        try home.write("landing/in.csv", "id,amount\n1,2.50\n")
        let rule = try await HealProcess.run(["run", "p", "--date", "2026-11-01"], home: home)
        #expect(rule.status == 1)
        #expect(rule.stdout.contains("rule not_null in skills/r.yml names column 'amont', which the file does not have (columns: id, amount); did you mean 'amount'?"),
                "\(rule.stdout)")
        let key = try await HealProcess.run(["run", "t", "--date", "2026-11-01"], home: home)
        #expect(key.status == 1 && key.stdout.contains("dedupe key names column 'idd', which the file does not have (columns: id, amount); did you mean 'id'?"), "\(key.stdout)")
        // 200 columns: twelve are listed, the rest counted.
        let wide = (1...200).map { "c\($0)" }
        try home.write("landing/in.csv", wide.joined(separator: ",") + "\n" + wide.map { _ in "1" }.joined(separator: ",") + "\n")
        let many = try await HealProcess.run(["run", "p", "--date", "2026-11-02"], home: home)
        #expect(many.status == 1 && many.stdout.contains("(columns: c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, … and 188 more)"), "\(many.stdout)")
        #expect(!many.stdout.contains("c13,"))
    }
}

/// A synchronous count for assertions (inside #expect GRDB's async overload would be picked).
func count(_ db: DatabaseQueue, _ sql: String) throws -> Int {
    try db.read { try Int.fetchOne($0, sql: sql) ?? -1 }
}

/// A small seeded generator, so a randomised test reads the same file every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
