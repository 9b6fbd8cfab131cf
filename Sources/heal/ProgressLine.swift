import Foundation
import HealKit

/// One self-overwriting line on standard error while a step runs longer than `after`: rows and rows/s.
/// Only on a terminal; logs and pipes never see it.
final class ProgressLine: @unchecked Sendable {
    private let progress: RowProgress
    private let after: Duration
    private let lock = NSLock()
    private var shown = false
    private var task: Task<Void, Never>?

    /// `HEAL_PROGRESS_AFTER_MS` overrides the two seconds (tests use 0).
    init?(progress: RowProgress, environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard isatty(STDERR_FILENO) == 1 else { return nil }
        self.progress = progress
        after = .milliseconds(environment["HEAL_PROGRESS_AFTER_MS"].flatMap(Int.init) ?? 2000)
    }

    func start() {
        task = Task.detached { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .milliseconds(200))
                tick()
            }
        }
    }

    func stop() {
        task?.cancel()
        clear()
    }

    private func tick() {
        lock.withLock {
            guard let snapshot = progress.snapshot(), snapshot.elapsed >= after else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[K  … \(snapshot.text)".utf8))
            shown = true
        }
    }

    /// Removes the line before other output takes its place.
    func clear() {
        lock.withLock {
            guard shown else { return }
            FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
            shown = false
        }
    }
}
