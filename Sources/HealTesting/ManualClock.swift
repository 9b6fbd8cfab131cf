import Foundation
import HealKit

/// A daemon clock that jumps straight to whatever time the daemon sleeps until: a night passes in no time.
public final class ManualClock: DaemonClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date) { current = start }

    public func now() -> Date { lock.withLock { current } }

    public func sleep(until deadline: Date) async {
        lock.withLock { if deadline > current { current = deadline } }
    }

    public func set(_ date: Date) { lock.withLock { current = date } }
}
