import Foundation
import HealKit

/// A flag raised by SIGTERM, SIGINT or SIGHUP (how Airflow, Kubernetes, systemd and a closed terminal stop a job):
/// the run finishes its current step, is recorded as `interrupted`, prints its summary and exits 1. A second
/// signal exits at once; the next run marks that run interrupted and resumes it.
final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var signalName: String?
    private var sources: [DispatchSourceSignal] = []
    private let who: String

    init(who: String) { self.who = who }

    var isRequested: Bool { lock.withLock { signalName != nil } }
    var signal: String? { lock.withLock { signalName } }

    func listen() {
        for (signo, name) in [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT"), (SIGHUP, "SIGHUP")] {
            Foundation.signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler { [self] in
                let first = lock.withLock { () -> Bool in
                    defer { if signalName == nil { signalName = name } }
                    return signalName == nil
                }
                if first {
                    Console.error("\(who): \(name): stopping after the current step (send it again to stop at once)")
                } else {
                    Console.error("\(who): \(name) again: stopping now; the next run marks this one interrupted and resumes it")
                    Foundation.exit(1)
                }
            }
            source.resume()
            sources.append(source)
        }
    }
}

extension StopRequest {
    /// A listening stop request wired into an executor: SIGTERM, SIGINT or SIGHUP stops its run at a safe point.
    @discardableResult
    static func stopping(_ executor: inout RunExecutor, who: String) -> StopRequest {
        let stop = StopRequest(who: who)
        stop.listen()
        executor.shouldStop = { stop.isRequested }
        executor.stopReason = { stop.signal }
        return stop
    }
}
