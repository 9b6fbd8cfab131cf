import Foundation
import GRDB

/// `metadata.db`: every run, attempt, artifact, alert and quarantine batch. SQLite in WAL mode.
public final class MetadataStore: Sendable {
    let database: DatabaseQueue

    public init(url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        _ = SQLiteProcessSettings.applied
        // Two first runs on a fresh home would both create the schema; one at a time opens and migrates.
        let lock = open(url.path + "-lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if lock >= 0 { while flock(lock, LOCK_EX) != 0 && errno == EINTR {} }
        defer {
            if lock >= 0 {
                flock(lock, LOCK_UN)
                close(lock)
            }
        }
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_mode = WAL")
        }
        database = try DatabaseQueue(path: url.path, configuration: configuration)
        try MetadataMigrations.migrator.migrate(database)
    }
}
