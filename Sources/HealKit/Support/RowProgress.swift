import Foundation

/// Rows the current step has worked through, for a terminal to show while a long step runs.
/// Skills add rows as batches reach them; a printer samples it from another task.
public final class RowProgress: @unchecked Sendable {
    private let lock = NSLock()
    private var step: String?
    private var rows = 0
    private var started = ContinuousClock.now

    public init() {}

    /// What a printer shows: the step, its rows so far and how long it has run.
    public struct Snapshot: Sendable, Equatable {
        public var step: String
        public var rows: Int
        public var elapsed: Duration

        public init(step: String, rows: Int, elapsed: Duration) {
            self.step = step
            self.rows = rows
            self.elapsed = elapsed
        }

        /// "transform  1,234,567 rows · 412,000 rows/s · 3.0 s"
        public var text: String {
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = seconds > 0 ? Int(Double(rows) / seconds) : 0
            return "\(step)  \(Snapshot.grouped(rows)) rows · \(Snapshot.grouped(rate)) rows/s · \(String(format: "%.1f", seconds)) s"
        }

        static func grouped(_ n: Int) -> String {
            let digits = Array(String(n))
            var out = ""
            for (i, d) in digits.enumerated() {
                if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
                out.append(d)
            }
            return out
        }
    }

    public func begin(_ step: String) {
        lock.withLock {
            self.step = step
            rows = 0
            started = ContinuousClock.now
        }
    }

    public func add(_ count: Int) {
        lock.withLock { rows += count }
    }

    public func end() {
        lock.withLock { step = nil }
    }

    /// The running step, or nil between steps.
    public func snapshot() -> Snapshot? {
        lock.withLock {
            step.map { Snapshot(step: $0, rows: rows, elapsed: ContinuousClock.now - started) }
        }
    }
}
