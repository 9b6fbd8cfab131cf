import PostgresNIO
import Synchronization

/// The one PostgreSQL connection a run keeps for a target, lent to one call at a time; a call that finds it lent
/// opens a connection of its own instead of sharing a session mid-transaction.
final class KeptConnection: Sendable {
    private struct State {
        var connection: PostgresConnection?
        var lent = false
    }

    private let state = Mutex(State())

    /// The kept connection, now lent out; nil when there is none, it is lent, or it has closed.
    func borrow() -> PostgresConnection? {
        state.withLock { state in
            guard !state.lent, let connection = state.connection, !connection.isClosed else { return nil }
            state.lent = true
            return connection
        }
    }

    /// Keeps a new connection (lent to its caller) when there is none or the one kept has closed.
    func keep(_ connection: PostgresConnection) -> Bool {
        state.withLock { state in
            if state.lent || (state.connection.map { !$0.isClosed } ?? false) { return false }
            state.connection = connection
            state.lent = true
            return true
        }
    }

    func giveBack() { state.withLock { $0.lent = false } }

    /// Drops the kept connection, for its caller to close.
    @discardableResult
    func forget() -> PostgresConnection? {
        state.withLock { state in
            defer { state = State() }
            return state.connection
        }
    }
}
