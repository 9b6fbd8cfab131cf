import CSQLiteTuning

/// Process-wide SQLite settings, applied once before the first connection opens (SQLite ignores them afterwards):
/// no allocation statistics and no per-connection mutex (GRDB's queues serialise each connection).
enum SQLiteProcessSettings {
    static let applied: Bool = heal_sqlite_configure() == 0
}
