import Foundation
import HealKit
import HealTesting
import Testing

/// Inputs that hung heal, made it work without end, or made it read files it must not (issue 13, items 4–6 and 8),
/// through the built binary.
@Suite("Bounded work and contained paths", .serialized, .timeLimit(.minutes(5)))
struct BoundedInputTests {
    static let day = "2026-11-18"
    static let landing = "examples/landing/sales_20261118.csv"

    func summary(_ result: HealProcess.Result) throws -> RunSummary {
        try JSONDecoder().decode(RunSummary.self, from: Data(result.stdout.utf8))
    }

    /// Everything heal wrote about the run that a person or a Slack channel may read.
    func everythingSaid(_ home: TestHome, _ result: HealProcess.Result) async throws -> String {
        let md = TestWarehouse.sqlite(home, file: "metadata.db")
        let stored = try await md.rows("SELECT details FROM attempts").flatMap { $0 } + (try await md.rows("SELECT coalesce(error, '') FROM runs").flatMap { $0 })
        let alerts = home.exists("alerts/alerts.jsonl") ? try home.read("alerts/alerts.jsonl") : ""
        return ([result.stdout, result.stderr, alerts] + stored).joined(separator: "\n")
    }

    /// Item 4: a landing path that is a FIFO, or a link to /dev/zero, hung forever; now a clear source_missing.
    @Test func aLandingPathThatIsNotARegularFileIsRefused() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try FileManager.default.removeItem(at: home.url(Self.landing))
        #expect(mkfifo(home.url(Self.landing).path, 0o644) == 0)
        // No mirror copy for this day: the fallback finds nothing either, and the run fails with an alert.
        try? FileManager.default.removeItem(at: home.url("examples/mirror/sales_20261118.csv"))
        let fifo = try await HealProcess.run(["run", "sales-daily", "--date", Self.day, "--json"], home: home)
        #expect(fifo.status == 1, "\(fifo.stdout)\(fifo.stderr)")
        let run = try summary(fifo)
        #expect(run.steps[0].attempts[0].failureClass == "source_missing")
        #expect(run.steps[0].attempts[0].details.contains("is a FIFO (named pipe), not a regular file"))

        // A link to /dev/zero is refused as a link; allowed to follow links, it is refused as a device.
        try FileManager.default.removeItem(at: home.url(Self.landing))
        try FileManager.default.createSymbolicLink(atPath: home.url(Self.landing).path, withDestinationPath: "/dev/zero")
        let link = try await HealProcess.run(["run", "sales-daily", "--date", Self.day, "--json"], home: home)
        #expect(link.status == 1)
        #expect(try summary(link).steps[0].attempts[0].details.contains("is a symbolic link; heal does not follow links"))
        try home.write("skills/fetch-sales.yml", try home.read("skills/fetch-sales.yml") + "follow_symlinks: true\n")
        let device = try await HealProcess.run(["run", "sales-daily", "--date", Self.day, "--json"], home: home)
        #expect(device.status == 1)
        #expect(try summary(device).steps[0].attempts[0].details.contains("is a device, not a regular file"))
    }

    /// Item 8: a landing link to /etc/passwd, or `--var f=../../…/etc/passwd`, was fetched and its first line stored
    /// and printed; now refused, and nothing of the file appears anywhere.
    @Test func sourcesCannotReachFilesOutsideTheirFolder() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try FileManager.default.removeItem(at: home.url(Self.landing))
        try FileManager.default.createSymbolicLink(atPath: home.url(Self.landing).path, withDestinationPath: "/etc/passwd")
        let link = try await HealProcess.run(["run", "sales-daily", "--date", Self.day], home: home)
        #expect(link.status == 1)
        #expect(link.stdout.contains("is a symbolic link"))
        #expect(!(try await everythingSaid(home, link)).contains("root:"))

        try home.write("playbooks/byname.yml", "retry: { attempts: 1 }\nsteps:\n  - { name: fetch, skill: by-name }\n  - { name: schema, skill: sales-contract }\n")
        try home.write("skills/by-name.yml", "kind: fetch\nsource: examples/landing/{var.f}\n")
        let traversal = try await HealProcess.run(["run", "byname", "--date", Self.day, "--var", "f=../../../../../../etc/passwd"], home: home)
        #expect(traversal.status == 1)
        #expect(traversal.stdout.contains("holds a path separator or '..'"), "\(traversal.stdout)")
        #expect(!(try await everythingSaid(home, traversal)).contains("root:"))
        #expect(home.files(under: "staging").allSatisfy { !$0.contains("fetch") })
        // A plain file name is still a file name.
        let plain = try await HealProcess.run(["run", "byname", "--date", Self.day, "--var", "f=sales_20261119.csv"], home: home)
        #expect(plain.status == 1 && plain.stdout.contains("ok    fetch"), "\(plain.stdout)")
        // A skill that means it may allow separators.
        try home.write("skills/by-name.yml", "kind: fetch\nsource: examples/{var.f}\nallow_path_values: true\n")
        let allowed = try await HealProcess.run(["run", "byname", "--date", Self.day, "--var", "f=landing/sales_20261119.csv"], home: home)
        #expect(allowed.stdout.contains("ok    fetch"), "\(allowed.stdout)")
    }

    /// Item 8: a header is quoted in an alert only so far: a hostile file cannot fill a Slack message.
    @Test func alertsQuoteFileContentOnlySoFar() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let huge = (0..<2000).map { "column_\($0)_" + String(repeating: "x", count: 200) }.joined(separator: ",")
        try home.write(Self.landing, huge + "\n" + (0..<2000).map { _ in "1" }.joined(separator: ",") + "\n")
        let result = try await HealProcess.run(["run", "sales-daily", "--date", Self.day], home: home)
        #expect(result.status == 1)
        let alert = try home.read("alerts/alerts.jsonl")
        #expect(alert.utf8.count < 20_000, "\(alert.utf8.count) bytes")
        #expect(alert.contains("column_0_"))
        #expect(!alert.contains("column_1999_"))
    }

    /// Item 5: a 5 MiB-class gzip of one-field lines wrote 20 GB of rejects; the ratio limit refuses it at once.
    /// (Blank lines are skipped and counted since issue 14, so the bomb is of ragged `x` lines.)
    @Test func aGzipBombIsRefusedWithItsFigures() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try FileManager.default.removeItem(at: home.url(Self.landing))
        try home.write("skills/fetch-sales.yml", "kind: fetch\nsource: examples/landing/sales_{date:yyyyMMdd}.csv.gz\n")
        // 200 MB of one-field lines in about a megabyte.
        let made = try await HealProcess.run(executable: URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", "-c", "import gzip,sys; f=gzip.open(sys.argv[1],'wb',compresslevel=9); f.write(b'sale_id,date,amount,product_id,customer_id,quantity,store,channel\\n'); [f.write(b'x\\n'*(1<<21)) for _ in range(50)]; f.close()",
            home.url("examples/landing/sales_20261118.csv.gz").path,
        ], in: home)
        #expect(made.status == 0, "\(made.stderr)")
        // By default the compression ratio refuses it after the first MiB.
        let started = Date()
        let result = try await HealProcess.run(["run", "sales-daily", "--date", Self.day, "--json"], home: home)
        #expect(result.status == 1)
        let refused = try summary(result).steps[1].attempts[0]
        #expect(refused.failureClass == "parse_error")
        #expect(refused.details.contains("more than max_compression_ratio 200"), "\(refused.details)")
        #expect(Date().timeIntervalSince(started) < 60)
        // With room for inflation, the ragged lines are refused once max_rejects of them failed, their rejects removed.
        try home.write("skills/sales-contract.yml", try home.read("skills/sales-contract.yml") + "format: { max_compression_ratio: 1000000, max_rejects: 1000 }\n")
        let rejects = try await HealProcess.run(["run", "sales-daily", "--date", Self.day, "--json"], home: home)
        #expect(rejects.status == 1)
        let schema = try summary(rejects).steps[1].attempts[0]
        #expect(schema.failureClass == "parse_error")
        #expect(schema.details.contains("more than 1000 rows fail (max_rejects)"), "\(schema.details)")
        // Nothing like the inflated size was written anywhere.
        let written = home.files(under: "staging").compactMap { try? FileManager.default.attributesOfItem(atPath: home.url("staging/\($0)").path)[.size] as? Int }
        #expect(written.reduce(0, +) < 5_000_000, "\(written)")
        #expect(home.files(under: "quarantine").isEmpty)
    }

    /// Item 5: max_decompressed_bytes, max_rows and max_rejects, each set in the contract, refuse the file whole.
    @Test func rowAndRejectLimitsRefuseTheFile() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let contract = try home.read("skills/sales-contract.yml")
        try home.write("skills/sales-contract.yml", contract + "format: { max_rows: 100 }\n")
        let rows = try await HealProcess.run(["run", "sales-daily", "--date", Self.day, "--json"], home: home)
        #expect(rows.status == 1)
        #expect(try summary(rows).steps[1].attempts[0].details.contains("more than 100 rows (max_rows)"))

        // 300 of 500 rows with a bad amount and at most 50 rejects: refused before writing the 51st.
        var lines = try home.read(Self.landing).split(separator: "\n").map(String.init)
        for i in 1...300 {
            var fields = lines[i].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            fields[2] = "not-a-number"
            lines[i] = fields.joined(separator: ",")
        }
        try home.write(Self.landing, lines.joined(separator: "\n") + "\n")
        try home.write("skills/sales-contract.yml", contract + "format: { max_rejects: 50 }\n")
        try home.write("skills/quarantine.yml", "kind: quarantine_filter\nmax_pct: 100\n")
        let rejects = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18", "--json", "--force"], home: home)
        #expect(rejects.status == 1)
        let schema = try summary(rejects).steps[1].attempts
        #expect(schema[0].details.contains("more than 50 rows fail (max_rejects), the last at line 52"), "\(schema[0].details)")
        #expect(home.files(under: "quarantine").isEmpty)
        #expect(home.files(under: "staging").allSatisfy { !$0.contains("rejects") })

        // A gzip bigger inflated than the contract allows.
        try home.write("skills/sales-contract.yml", contract + "format: { max_decompressed_bytes: 10000 }\n")
        try home.write("skills/fetch-sales.yml", "kind: fetch\nsource: examples/landing/sales_{date:yyyyMMdd}.csv.gz\n")
        let gz = try await HealProcess.run(executable: URL(fileURLWithPath: "/usr/bin/env"), [
            "python3", "-c", "import gzip,shutil,sys; shutil.copyfileobj(open(sys.argv[1],'rb'), gzip.open(sys.argv[2],'wb'))",
            home.url("examples/mirror/sales_20261120.csv").path, home.url("examples/landing/sales_20261118.csv.gz").path,
        ], in: home)
        #expect(gz.status == 0, "\(gz.stderr)")
        let inflated = try await HealProcess.run(["run", "sales-daily", "--date", Self.day, "--json", "--force"], home: home)
        #expect(try summary(inflated).steps[1].attempts[0].details.contains("inflates past 10000 bytes (max_decompressed_bytes)"))
    }

    /// Item 6: a run parses only the playbook and skills it uses; a config file past the size limit is refused.
    @Test func aRunParsesOnlyTheConfigItUses() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        // An unrelated 100 MB skill file, and an unrelated broken one: neither is read by the run.
        let handle = try FileHandle(forWritingTo: { try! home.write("skills/huge.yml", "kind: fetch\nsource: x\n# "); return home.url("skills/huge.yml") }())
        try handle.seekToEnd()
        let chunk = Data(String(repeating: "y", count: 1 << 20).utf8)
        for _ in 0..<100 { try handle.write(contentsOf: chunk) }
        try handle.close()
        try home.write("skills/broken.yml", "kind: [\n")
        let started = Date()
        let run = try await HealProcess.run(["run", "sales-daily", "--date", Self.day], home: home)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(Date().timeIntervalSince(started) < 30)
        // heal check reads everything and names both files.
        let check = try await HealProcess.run(["check"], home: home)
        #expect(check.status == 2)
        #expect(check.stdout.contains("skills/huge.yml") || check.stderr.contains("skills/huge.yml"), "\(check.stdout)\(check.stderr)")
        #expect((check.stdout + check.stderr).contains("larger than"))
        #expect((check.stdout + check.stderr).contains("skills/broken.yml:2:1: YAML syntax"))
        // A skill the run needs, past the limit: refused with the file named, not parsed.
        try FileManager.default.removeItem(at: home.url("skills/sales-load.yml"))
        try FileManager.default.moveItem(at: home.url("skills/huge.yml"), to: home.url("skills/sales-load.yml"))
        let needed = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19"], home: home)
        #expect(needed.status == 2)
        #expect(needed.stderr.contains("skills/sales-load.yml") && needed.stderr.contains("larger than"), "\(needed.stderr)")
    }
}
