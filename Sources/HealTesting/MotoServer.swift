import Foundation
import HealKit

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// moto's S3-compatible server (PyPI `moto[server]`) on 127.0.0.1, from the venv `scripts/bootstrap --test` makes;
/// objects are put with boto3, AWS's own client, from the same venv. Nothing here blocks a thread of the
/// cooperative pool (two on this machine), so tests running beside it keep their servers responsive.
public final class MotoServer: @unchecked Sendable {
    public let port: Int
    private let process: Process
    private let python: URL

    public var endpoint: String { "http://127.0.0.1:\(port)" }

    /// `.build/test-venv` beside the package, or `HEAL_TEST_VENV`.
    public static var venv: URL {
        if let path = ProcessInfo.processInfo.environment["HEAL_TEST_VENV"] { return URL(fileURLWithPath: path) }
        return TestHome.repository.appendingPathComponent(".build/test-venv")
    }

    public init() async throws {
        let bin = MotoServer.venv.appendingPathComponent("bin")
        let server = bin.appendingPathComponent("moto_server")
        guard FileManager.default.isExecutableFile(atPath: server.path) else {
            throw TestServerError(message: "moto_server is not installed at \(server.path); run scripts/bootstrap --test")
        }
        python = bin.appendingPathComponent("python")
        var lastError = "no port tried"
        for _ in 0..<5 {
            let port = Int.random(in: 42_000...48_999)
            let process = Process()
            process.executableURL = server
            process.arguments = ["-H", "127.0.0.1", "-p", String(port)]
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<100 {
                try await Task.sleep(for: .milliseconds(100))
                if !process.isRunning { break }
                if let url = URL(string: "http://127.0.0.1:\(port)/"), (try? await URLSession.shared.data(from: url)) != nil {
                    self.port = port
                    self.process = process
                    return
                }
            }
            kill(process.processIdentifier, SIGKILL)
            lastError = "moto_server did not answer on port \(port)"
        }
        throw TestServerError(message: lastError)
    }

    /// Creates the bucket if needed and puts each object, through boto3.
    public func put(bucket: String, _ objects: [(key: String, body: String)]) async throws {
        let script = """
            import boto3, json, sys
            s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id="test", aws_secret_access_key="test", region_name="us-east-1")
            bucket = sys.argv[2]
            if bucket not in [b["Name"] for b in s3.list_buckets()["Buckets"]]:
                s3.create_bucket(Bucket=bucket)
            for key, body in json.load(sys.stdin):
                s3.put_object(Bucket=bucket, Key=key, Body=body.encode())
            """
        let payload = try JSONSerialization.data(withJSONObject: objects.map { [$0.key, $0.body] })
        let outcome = try await ChildProcess.run(
            python.path,
            ["-c", script, endpoint, bucket],
            in: URL(fileURLWithPath: NSTemporaryDirectory()),
            input: Array(payload),
            timeout: .seconds(60)
        )
        guard outcome.status == 0 else { throw TestServerError(message: "boto3 could not put the objects: \(outcome.stderr.suffix(400))") }
    }

    /// SIGKILL: moto (werkzeug) may outlive SIGTERM, and a survivor keeps the test run's output pipe open.
    public func stop() { kill(process.processIdentifier, SIGKILL) }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
}
