import Foundation
import HealKit

/// The throwaway PostgreSQL server the tests load into: the one `.ci/run` started (`HEAL_TEST_POSTGRES_URL`), or
/// one started here by `scripts/test-postgres` (initdb as a non-root user, password authentication, 127.0.0.1).
public enum TestPostgres {
    public struct Server: Sendable {
        /// `postgres://heal@127.0.0.1:PORT/heal_test`
        public var url: String
        public var password: String
        /// The data folder, for `pg_ctl` (a test that stops and starts its own server).
        public var dataFolder: String?
        /// The state folder `scripts/test-postgres` keeps it in, for `stop`.
        public var stateFolder: String?

        public var port: Int { Int(url.split(separator: ":").last!.split(separator: "/").first!)! }

        /// The same server, another database.
        public func url(database: String) -> String {
            String(url[..<url.lastIndex(of: "/")!]) + "/" + database
        }
    }

    private static let shared = SharedServer()

    /// The shared test server, started on first use when the environment names none.
    public static func server() async throws -> Server {
        let environment = ProcessInfo.processInfo.environment
        if let url = environment["HEAL_TEST_POSTGRES_URL"], let password = environment["HEAL_TEST_POSTGRES_PASSWORD"] {
            return Server(url: url, password: password, dataFolder: environment["HEAL_TEST_POSTGRES_DATA"])
        }
        return try await shared.get()
    }

    /// A server of the test's own in `state` (one it may stop), started by `scripts/test-postgres`.
    public static func start(state: String) async throws -> Server {
        let outcome = try await ChildProcess.run(
            TestHome.repository.appendingPathComponent("scripts/test-postgres").path,
            ["start"],
            in: TestHome.repository,
            environment: ["HEAL_TEST_PG_STATE": state],
            timeout: .seconds(300)
        )
        guard outcome.status == 0 else {
            throw TestPostgresError(
                "scripts/test-postgres start failed (exit \(outcome.status.map(String.init) ?? "signal")): \(outcome.stderr)"
            )
        }
        var values: [String: String] = [:]
        for line in outcome.stdout.split(separator: "\n") where line.hasPrefix("export ") {
            let pair = line.dropFirst("export ".count).split(separator: "=", maxSplits: 1)
            if pair.count == 2 { values[String(pair[0])] = String(pair[1]) }
        }
        guard let url = values["HEAL_TEST_POSTGRES_URL"], let password = values["HEAL_TEST_POSTGRES_PASSWORD"] else {
            throw TestPostgresError("scripts/test-postgres printed no server: \(outcome.stdout)")
        }
        return Server(url: url, password: password, dataFolder: values["HEAL_TEST_POSTGRES_DATA"], stateFolder: state)
    }

    /// Stops a server `start(state:)` started, keeping its data (`start` brings it back on its port).
    public static func stop(_ server: Server) async throws {
        try await script("stop", server)
    }

    /// Stops a server `start(state:)` started and removes its folder.
    public static func destroy(_ server: Server) async throws {
        try await script("destroy", server)
    }

    private static func script(_ command: String, _ server: Server) async throws {
        guard let state = server.stateFolder else { return }
        let outcome = try await ChildProcess.run(
            TestHome.repository.appendingPathComponent("scripts/test-postgres").path,
            [command],
            in: TestHome.repository,
            environment: ["HEAL_TEST_PG_STATE": state],
            timeout: .seconds(60)
        )
        guard outcome.status == 0 else { throw TestPostgresError("scripts/test-postgres \(command): \(outcome.stderr)") }
    }

    /// Runs SQL with psql; rows as arrays of text (`NULL` for null), columns split on `|`.
    public static func psql(_ url: String, password: String, _ sql: String) async throws -> [[String]] {
        let outcome = try await ChildProcess.run(
            "/usr/bin/psql",
            [
                "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-P", "null=NULL", "-d",
                url.replacingOccurrences(of: "postgres://", with: "postgresql://"), "-c", sql,
            ],
            in: URL(fileURLWithPath: "/tmp"),
            environment: ["PGPASSWORD": password, "PGCONNECT_TIMEOUT": "5", "PGTZ": "UTC"],
            timeout: .seconds(60)
        )
        guard outcome.status == 0 else { throw TestPostgresError("psql: \(sql): \(outcome.stderr)") }
        return outcome.stdout.split(separator: "\n", omittingEmptySubsequences: true).map {
            $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        }
    }

    /// A fresh, empty database on the server, so each test starts from nothing.
    public static func freshDatabase(on server: Server) async throws -> String {
        let name = "heal_" + UUID().uuidString.prefix(8).lowercased()
        _ = try await psql(server.url(database: "postgres"), password: server.password, "CREATE DATABASE \(name)")
        return server.url(database: name)
    }

    actor SharedServer {
        var server: Server?
        func get() async throws -> Server {
            if let server { return server }
            let started = try await TestPostgres.start(state: "/tmp/heal-test-postgres")
            server = started
            return started
        }
    }
}

public struct TestPostgresError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}
