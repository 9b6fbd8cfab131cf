import Foundation

/// A stop request heard at a safe point inside a step: a retry wait, or the next batch of a step that reads a file
/// and commits nothing (checks, transform, repair), so the step's work is simply dropped and done again on resume.
struct RunStopped: Error {
    /// Sleeps in quarter seconds, throwing as soon as a stop is requested: how every wait at a safe point sleeps.
    static func pause(
        _ delay: Duration,
        stop: @Sendable () -> Bool,
        sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) async throws {
        var left = delay
        while left > .zero {
            if stop() { throw RunStopped() }
            let slice = min(left, .milliseconds(250))
            try await sleep(slice)
            left -= slice
        }
        if stop() { throw RunStopped() }
    }
}
