import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import HealKit
import HealTesting
import Testing

/// `s3://` sources against moto's S3-compatible server on 127.0.0.1, objects put with boto3.
@Suite("S3 sources on a real S3-compatible server", .serialized, .timeLimit(.minutes(3)))
struct S3FetchTests {
    static let secret = "wJalrXUtnFEMI-not-a-real-secret"
    let environment = ["AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": S3FetchTests.secret, "AWS_REGION": "us-east-1"]

    func day(_ n: Int, rows: Int) -> String {
        "id,amount\n" + (1...rows).map { "\(n * 1000 + $0),\($0).50" }.joined(separator: "\n") + "\n"
    }

    /// fetch (S3) → schema → load, with the given fetch settings.
    func home(fetch: String, fallback: String? = nil) throws -> TestHome {
        let home = try TestHome()
        try home.write("playbooks/p.yml", """
            retry: { attempts: 1 }
            steps:
              - name: fetch
                skill: f
            \(fallback == nil ? "" : "    on_failure: { source_missing: [mirror] }\n")  - { name: schema, skill: s }
              - { name: load, skill: l }
            """)
        try home.write("skills/f.yml", "kind: fetch\n" + fetch)
        if let fallback { try home.write("skills/mirror.yml", "kind: fallback_source\nsource: \(fallback)\n") }
        try home.write("skills/s.yml", "kind: validate_schema\ncolumns:\n  - { name: id, type: integer }\n  - { name: amount, type: decimal }\n")
        try home.write("skills/l.yml", "kind: load\ntarget: sqlite:warehouse.db\ntable: t\nkey: [id]\n")
        return home
    }

    func loaded(_ home: TestHome) throws -> Int {
        try count(DatabaseQueue(path: home.url("warehouse.db").path), "SELECT count(*) FROM t")
    }

    @Test func theDaysObjectByKeyTemplateAndByPrefixListing() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        try await moto.put(bucket: "landing", [("sales/2026/sales_20261120.csv", day(20, rows: 4)), ("sales/2026/sales_20261121.csv", day(21, rows: 7)),
                                         ("sales/2026/returns_20261121.csv", day(99, rows: 2))])
        let byKey = try home(fetch: "source: \"s3://landing/sales/{date:yyyy}/sales_{date:yyyyMMdd}.csv\"\nendpoint: \(moto.endpoint)\n")
        defer { byKey.remove() }
        let first = try await HealProcess.run(["run", "p", "--date", "2026-11-21"], home: byKey, environment: environment)
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(try loaded(byKey) == 7)
        #expect(!first.stdout.contains(S3FetchTests.secret) && !first.stderr.contains(S3FetchTests.secret))

        let byPrefix = try home(fetch: "source: s3://landing/sales/2026/\npattern: \"sales_{date:yyyyMMdd}\\\\.csv\"\nendpoint: \(moto.endpoint)\nregion: us-east-1\n")
        defer { byPrefix.remove() }
        let listed = try await HealProcess.run(["run", "p", "--date", "2026-11-20"], home: byPrefix, environment: environment)
        #expect(listed.status == 0, "\(listed.stdout)\(listed.stderr)")
        #expect(try loaded(byPrefix) == 4)
        let none = try await HealProcess.run(["run", "p", "--date", "2026-11-19"], home: byPrefix, environment: environment)
        #expect(none.status == 1 && none.stdout.contains("source_missing: no object under s3://landing/sales/2026/ matches sales_20261119\\.csv (3 listed)"), "\(none.stdout)")
    }

    /// ListObjectsV2 page by page: 5 keys, 2 per page.
    @Test func listingFollowsContinuationTokens() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        let keys = (1...5).map { "p/k\($0).csv" }
        try await moto.put(bucket: "pages", keys.map { ($0, "x\n") })
        let home = try self.home(fetch: "source: s3://pages/p/\npattern: \"k5\\\\.csv\"\nendpoint: \(moto.endpoint)\n")
        defer { home.remove() }
        // The same fetch through the binary with 2 keys per page: the last page holds the object.
        let run = try await HealProcess.run(["run", "p", "--date", "2026-11-21"], home: home, environment: environment.merging(["HEAL_S3_PAGE_SIZE": "2"]) { $1 })
        #expect(run.stdout.contains("s3://pages/p/k5.csv (the newest of 1 matching among 5 objects, 3 listing pages) → staging/"), "\(run.stdout)\(run.stderr)")
    }

    /// A missing key is source_missing: the fallback heals it; without one, the run fails with an alert.
    @Test func aMissingKeyFallsBackOrAlerts() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        try await moto.put(bucket: "landing", [("other.csv", "id\n1\n")])
        let home = try self.home(fetch: "source: \"s3://landing/sales_{date:yyyyMMdd}.csv\"\nendpoint: \(moto.endpoint)\n", fallback: "mirror/day.csv")
        defer { home.remove() }
        try home.write("mirror/day.csv", day(21, rows: 3))
        let healed = try await HealProcess.run(["run", "p", "--date", "2026-11-21", "--json"], home: home, environment: environment)
        let summary = try JSONDecoder().decode(RunSummary.self, from: Data(healed.stdout.utf8))
        #expect(summary.status == .healed)
        #expect(summary.steps[0].attempts[0].failureClass == "source_missing")
        #expect(summary.steps[0].attempts[0].details.contains("NoSuchKey"))
        #expect(try loaded(home) == 3)

        let bare = try self.home(fetch: "source: \"s3://landing/sales_{date:yyyyMMdd}.csv\"\nendpoint: \(moto.endpoint)\n")
        defer { bare.remove() }
        let failed = try await HealProcess.run(["run", "p", "--date", "2026-11-21"], home: bare, environment: environment)
        #expect(failed.status == 1 && failed.stderr.contains("ALERT") && failed.stderr.contains("NoSuchKey"))
        let noBucket = try self.home(fetch: "source: \"s3://absent/x.csv\"\nendpoint: \(moto.endpoint)\n")
        defer { noBucket.remove() }
        let missingBucket = try await HealProcess.run(["run", "p", "--date", "2026-11-21"], home: noBucket, environment: environment)
        #expect(missingBucket.status == 1 && missingBucket.stdout.contains("NoSuchBucket"), "\(missingBucket.stdout)")
    }

    /// Credentials from a named profile of the shared credentials file; none at all is a clear error.
    @Test func credentialsFromAProfileOrAClearError() async throws {
        let moto = try await MotoServer()
        defer { moto.stop() }
        try await moto.put(bucket: "landing", [("d.csv", day(1, rows: 2))])
        let home = try self.home(fetch: "source: s3://landing/d.csv\nendpoint: \(moto.endpoint)\nprofile: nightly\n")
        defer { home.remove() }
        try home.write("aws/credentials", "[default]\naws_access_key_id = A\naws_secret_access_key = B\n\n[nightly]\naws_access_key_id = AKIDNIGHTLY\naws_secret_access_key = \(S3FetchTests.secret)\n")
        let withProfile = try await HealProcess.run(["run", "p", "--date", "2026-11-21"], home: home,
                                                    environment: ["AWS_SHARED_CREDENTIALS_FILE": home.url("aws/credentials").path])
        #expect(withProfile.status == 0, "\(withProfile.stdout)\(withProfile.stderr)")
        #expect(!withProfile.stdout.contains(S3FetchTests.secret) && !withProfile.stderr.contains(S3FetchTests.secret))
        try home.write("skills/f.yml", "kind: fetch\nsource: s3://landing/d.csv\nendpoint: \(moto.endpoint)\nprofile: absent\n")
        let without = try await HealProcess.run(["run", "p", "--date", "2026-11-22"], home: home,
                                                environment: ["AWS_SHARED_CREDENTIALS_FILE": home.url("aws/credentials").path])
        #expect(without.status == 1 && without.stdout.contains("profile 'absent'"), "\(without.stdout)")
    }

    /// An S3-style server that cuts the first GET halfway, then serves ranges: the fetch resumes where it stopped.
    static let droppingServer = """
        import hashlib, http.server, json, socket, sys
        data = open(sys.argv[2], "rb").read()
        etag = '"%s"' % hashlib.md5(data).hexdigest()
        log = open(sys.argv[3], "a")
        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            def log_message(self, *args): pass
            def do_GET(self):
                if self.path == "/ready":
                    self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers(); return
                wanted = self.headers.get("Range")
                log.write(json.dumps({"path": self.path, "range": wanted, "if_match": self.headers.get("If-Match"),
                                      "signed": self.headers.get("Authorization", "").startswith("AWS4-HMAC-SHA256 ")}) + "\\n"); log.flush()
                if wanted is None:
                    self.send_response(200); self.send_header("Content-Length", str(len(data))); self.send_header("ETag", etag); self.end_headers()
                    self.wfile.write(data[: len(data) // 2]); self.wfile.flush()
                    self.connection.shutdown(socket.SHUT_RDWR); self.close_connection = True
                    return
                start = int(wanted.split("=")[1].rstrip("-"))
                self.send_response(206); self.send_header("Content-Length", str(len(data) - start))
                self.send_header("Content-Range", "bytes %d-%d/%d" % (start, len(data) - 1, len(data))); self.send_header("ETag", etag); self.end_headers()
                self.wfile.write(data[start:])
        http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
        """

    @Test func aDroppedConnectionIsResumedWithRange() async throws {
        let home = try self.home(fetch: "")
        defer { home.remove() }
        let body = day(7, rows: 3000)
        try home.write("object.csv", body)
        try home.write("server.py", S3FetchTests.droppingServer)
        let port = Int.random(in: 49_000...49_999)
        let server = Process()
        server.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        server.arguments = ["python3", home.url("server.py").path, String(port), home.url("object.csv").path, home.url("requests.jsonl").path]
        server.standardOutput = FileHandle.nullDevice
        server.standardError = FileHandle.nullDevice
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL) }
        var ready = false
        for _ in 0..<100 where !ready {
            try await Task.sleep(for: .milliseconds(100))
            ready = (try? await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/ready")!)) != nil
        }
        #expect(ready)
        try home.write("skills/f.yml", "kind: fetch\nsource: s3://landing/object.csv\nendpoint: http://127.0.0.1:\(port)\n")
        let run = try await HealProcess.run(["run", "p", "--date", "2026-11-21"], home: home, environment: environment)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("s3://landing/object.csv (resumed 1 time with Range)"), "\(run.stdout)")
        #expect(try loaded(home) == 3000)
        let requests = try home.read("requests.jsonl").split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
        #expect(requests.count == 2)
        #expect(requests.allSatisfy { $0["path"] as? String == "/landing/object.csv" && $0["signed"] as? Bool == true })
        #expect(requests[1]["range"] as? String == "bytes=\(body.utf8.count / 2)-")
        #expect((requests[1]["if_match"] as? String)?.hasPrefix("\"") == true)
    }

    @Test func s3SettingsOnAnotherSourceAreAConfigError() async throws {
        let home = try self.home(fetch: "source: landing/x.csv\nendpoint: http://127.0.0.1:1\n")
        defer { home.remove() }
        let check = try await HealProcess.run(["check"], home: home)
        #expect(check.status == 2 && check.stderr.contains("skills/f.yml:3:11") && check.stderr.contains("endpoint applies to s3:// sources only"), "\(check.stderr)")
    }
}
