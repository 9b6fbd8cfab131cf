import ArgumentParser
import FlyingFox
import FlyingSocks
import Foundation
import HealKit

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon", abstract: "Run every playbook with a schedule at its fire times.",
        discussion: "Missed fire times are caught up by each playbook's catchup: policy (latest, all, none). One run at a time. SIGTERM or SIGINT finishes the current step, marks the run interrupted and exits.")
    @Flag(help: "Run what is due now (missed fire times), then exit: for a system timer.") var once = false
    @Option(help: "Serve Prometheus metrics at http://127.0.0.1:PORT/metrics (0: off).") var metricsPort: UInt16 = 9464
    @OptionGroup var home: HomeOption

    func run() async throws {
        let home = home.resolved
        let config = try Console.configuration(home)
        let store: MetadataStore
        do { store = try MetadataStore(url: home.metadata) } catch {
            Console.error("heal: cannot open \(home.display(home.metadata)): \(error)")
            throw ExitCode(2)
        }
        var daemon = Daemon(home: home, config: config, store: store)
        // Flushed after every event, so journald and log files see each one as it happens.
        daemon.observer = { event in
            RunPrinter.show(event, quiet: false)
            fflush(nil)
        }
        let scheduled = config.playbooks.values.filter { $0.cron != nil }.map(\.name).sorted()
        guard !scheduled.isEmpty else {
            Console.error("heal daemon: no playbook has a schedule: (add one, e.g. schedule: \"0 2 * * *\")")
            throw ExitCode(2)
        }
        let stop = StopRequest(who: "heal daemon")
        stop.listen()
        let metrics = once || metricsPort == 0 ? nil : try await MetricsServer.start(port: metricsPort, store: store)
        defer { metrics?.stop() }
        if let metrics { print("metrics: http://127.0.0.1:\(metrics.port)/metrics") }
        print("heal daemon: \(scheduled.count) scheduled pipeline\(scheduled.count == 1 ? "" : "s"): \(scheduled.joined(separator: ", "))\(once ? " (once)" : "")")
        if let next = daemon.nextFire(after: Date()), !once { print("next: \(next)") }
        fflush(nil)
        let running = daemon
        let tally = FireTally()
        try await running.loop(once: once, shouldStop: { stop.isRequested }) { fire, summary in
            let r = summary.rows
            print("\(fire): \(summary.status.rawValue) · read \(r.read) · loaded \(r.loaded) · quarantined \(r.quarantined) · run \(summary.runID)")
            tally.add(fire, summary)
            if let next = running.nextFire(after: Date()), !once, !stop.isRequested { print("next: \(next)") }
            fflush(nil)
        }
        guard once else { print("heal daemon: stopped"); return }
        // A system timer reads the exit status: a night that failed must not look like one that worked.
        let (ran, failed) = tally.counts
        if ran == 0 { print("nothing due; next fire at \(running.nextFire(after: Date()).map(String.init(describing:)) ?? "none")") }
        if !failed.isEmpty {
            Console.error("heal daemon: \(failed.count) of \(ran) run\(ran == 1 ? "" : "s") did not finish: \(failed.joined(separator: "; "))")
            throw ExitCode(1)
        }
    }
}

/// What a `--once` pass ran, counted from the daemon's callback (which may run on any thread).
final class FireTally: @unchecked Sendable {
    private let lock = NSLock()
    private var ran = 0
    private var failed: [String] = []

    func add(_ fire: Daemon.Fire, _ summary: RunSummary) {
        lock.lock()
        defer { lock.unlock() }
        ran += 1
        if summary.status == .failed || summary.status == .interrupted {
            failed.append("\(fire.pipeline) \(fire.date) \(summary.status.rawValue) (heal runs show \(summary.runID))")
        }
    }

    var counts: (ran: Int, failed: [String]) {
        lock.lock()
        defer { lock.unlock() }
        return (ran, failed)
    }
}

struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schedule", abstract: "The next fire times of every scheduled playbook.")
    @Option(help: "How many fire times per playbook.") var count = 3
    @OptionGroup var home: HomeOption

    func run() async throws {
        let home = home.resolved
        let config = try Console.configuration(home)
        let playbooks = config.playbooks.values.filter { $0.cron != nil }.sorted { $0.name < $1.name }
        if playbooks.isEmpty { return print("no playbook has a schedule") }
        let formatter = ISO8601DateFormatter()
        // The last run and what the daemon would catch up, when there is a history to read.
        let store = FileManager.default.fileExists(atPath: home.metadata.path) ? try MetadataStore(url: home.metadata) : nil
        let pending = try store.map { try Daemon(home: home, config: config, store: $0).missed(before: Date()) } ?? []
        for playbook in playbooks {
            print("\(playbook.name): \(playbook.cron!.expression) in \(playbook.timeZoneName), catchup \(playbook.catchUp.rawValue)")
            // A release re-loads quarantined rows; the night's own run is what the schedule did.
            if let last = try store?.runs(pipeline: playbook.name, limit: 20).first(where: { $0.kind == "run" }) {
                print("  last run \(last.id): \(last.logicalDate) \(last.status), started \(last.startedAt)")
            } else {
                print("  no run yet")
            }
            for fire in pending where fire.pipeline == playbook.name { print("  pending catch-up: \(fire)") }
            var t = Date()
            for _ in 0..<max(1, count) {
                guard let next = playbook.cron!.next(after: t, in: playbook.timeZone) else { print("  never fires"); break }
                formatter.timeZone = playbook.timeZone
                print("  \(formatter.string(from: next))  runs \(CalendarDate.of(next, in: playbook.timeZone).adding(days: -1))")
                t = next
            }
        }
    }
}

/// `GET /metrics` on the loopback interface: the same page `metrics/heal.prom` holds, computed per request.
final class MetricsServer: Sendable {
    let port: UInt16
    private let task: Task<Void, Error>

    private init(port: UInt16, task: Task<Void, Error>) {
        self.port = port
        self.task = task
    }

    static func start(port: UInt16, store: MetadataStore) async throws -> MetricsServer {
        let server = HTTPServer(address: try sockaddr_in.inet(ip4: "127.0.0.1", port: port), timeout: 10, logger: .disabled)
        await server.appendRoute("GET /metrics") { _ in
            do {
                let page = try PrometheusMetrics.render(store)
                return HTTPResponse(statusCode: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: Data(page.utf8))
            } catch {
                return HTTPResponse(statusCode: .internalServerError, body: Data("metadata.db: \(error)\n".utf8))
            }
        }
        await server.appendRoute("*") { _ in HTTPResponse(statusCode: .notFound, body: Data("heal serves /metrics only\n".utf8)) }
        let task = Task { try await server.run() }
        do {
            try await server.waitUntilListening(timeout: 5)
        } catch {
            task.cancel()
            Console.error("heal daemon: cannot serve metrics on 127.0.0.1:\(port) (\(error)); use --metrics-port to pick another, or 0 for none")
            throw ExitCode(2)
        }
        guard case .ip4(_, let bound)? = await server.listeningAddress else { return MetricsServer(port: port, task: task) }
        return MetricsServer(port: bound, task: task)
    }

    func stop() { task.cancel() }
}
