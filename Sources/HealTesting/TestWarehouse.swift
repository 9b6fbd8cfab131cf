import Foundation
import GRDB
import HealKit

/// The warehouse a test loads into, SQLite or PostgreSQL, read back the same way: rows of text.
public struct TestWarehouse: Sendable {
    public enum Kind: String, CaseIterable, Sendable, CustomStringConvertible {
        case sqlite, postgres
        public var description: String { rawValue }
    }

    public let kind: Kind
    /// The `target:` the home's load skills now name.
    public let target: String
    /// What `heal` needs in its environment for this target (PGPASSWORD for PostgreSQL).
    public let environment: [String: String]
    let home: TestHome
    let password: String?
    /// The SQLite file, relative to the home.
    var file = "warehouse.db"

    /// Any SQLite file of the home (metadata.db, say), read the same way.
    public static func sqlite(_ home: TestHome, file: String) -> TestWarehouse {
        TestWarehouse(kind: .sqlite, target: "sqlite:\(file)", environment: [:], home: home, password: nil, file: file)
    }

    /// Points every `target: sqlite:warehouse.db` in the home's skills at this warehouse (a fresh database on the
    /// test PostgreSQL server).
    public static func make(_ kind: Kind, for home: TestHome) async throws -> TestWarehouse {
        switch kind {
        case .sqlite:
            return TestWarehouse(kind: kind, target: "sqlite:warehouse.db", environment: [:], home: home, password: nil)
        case .postgres:
            let server = try await TestPostgres.server()
            let url = try await TestPostgres.freshDatabase(on: server)
            let warehouse = TestWarehouse(
                kind: kind,
                target: url,
                environment: ["PGPASSWORD": server.password],
                home: home,
                password: server.password
            )
            try warehouse.retarget()
            return warehouse
        }
    }

    /// Rewrites the home's load and health-check skills to this target; call again after writing new skills.
    public func retarget() throws {
        for name in home.files(under: "skills") {
            let text = try home.read("skills/\(name)")
            let changed = text.replacingOccurrences(of: "target: sqlite:warehouse.db", with: "target: \(target)")
            if changed != text { try home.write("skills/\(name)", changed) }
        }
    }

    /// The rows a query returns, each value as text (`NULL` for null; numbers as the warehouse prints them).
    public func rows(_ sql: String) async throws -> [[String]] {
        switch kind {
        case .sqlite:
            let path = home.url(file).path
            guard FileManager.default.fileExists(atPath: path) else { return [] }
            return try await DatabaseQueue(path: path).read { db in
                try Row.fetchAll(db, sql: sql).map { row in
                    row.databaseValues.map { WarehouseText.value($0) ?? "NULL" }
                }
            }
        case .postgres:
            return try await TestPostgres.psql(target, password: password ?? "", sql).map { $0.map(WarehouseText.tidy) }
        }
    }

    /// The first value of a query as a number.
    public func count(_ sql: String) async throws -> Int {
        Int(try await rows(sql).first?.first ?? "") ?? -1
    }

    /// Whether a table exists.
    public func hasTable(_ name: String) async throws -> Bool {
        switch kind {
        case .sqlite: return try await count("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '\(name)'") == 1
        case .postgres: return try await count("SELECT count(*) FROM information_schema.tables WHERE table_name = '\(name)'") == 1
        }
    }
}
