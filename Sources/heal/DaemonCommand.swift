import ArgumentParser
import FlyingFox
import FlyingSocks
import Foundation
import HealKit

struct DaemonCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Run every playbook with a schedule at its fire times.",
        discussion:
            "Missed fire times are caught up by each playbook's catchup: policy (latest, all, none). One run at a time. SIGTERM or SIGINT finishes the current step, marks the run interrupted and exits."
    )
    @Flag(help: "Run what is due now (missed fire times), then exit: for a system timer.") var once = false
    @Flag(help: "With --once: print what ran as JSON (each run as heal run --json prints it) instead of progress lines.") var json = false
    @Option(help: "Serve Prometheus metrics at http://HOST:PORT/metrics (0: off).") var metricsPort: UInt16 = 9464
    @Option(help: "The address metrics are served on: 127.0.0.1 (default), 0.0.0.0 for every interface, or one of the machine's addresses.")
    var metricsHost = "127.0.0.1"
    @OptionGroup var home: HomeOption

    func validate() throws {
        if json && !once { throw ValidationError("--json reports one pass; use it with --once") }
    }

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
        let json = self.json
        daemon.observer = { event in
            guard !json else { return }
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
        let metrics = once || metricsPort == 0 ? nil : try await MetricsServer.start(host: metricsHost, port: metricsPort, store: store)
        defer { metrics?.stop() }
        if let metrics { print("metrics: http://\(metrics.address)/metrics") }
        if !json {
            print(
                "heal daemon: \(scheduled.count) scheduled \(Noun.word(scheduled.count, "pipeline")): \(scheduled.joined(separator: ", "))\(once ? " (once)" : "")"
            )
        }
        if let next = daemon.nextFire(after: Date()), !once { print("next: \(next)") }
        fflush(nil)
        let running = daemon
        let tally = FireTally()
        try await running.loop(once: once, shouldStop: { stop.isRequested }) { fire, summary in
            tally.add(fire, summary)
            guard !json else { return }
            let r = summary.rows
            print(
                "\(fire): \(summary.status.rawValue) · read \(r.read) · loaded \(r.loaded) · quarantined \(r.quarantined) · run \(summary.runID)"
            )
            if let next = running.nextFire(after: Date()), !once, !stop.isRequested { print("next: \(next)") }
            fflush(nil)
        }
        guard once else {
            print("heal daemon: stopped")
            return
        }
        // A system timer reads the exit status: a night that failed must not look like one that worked.
        let (ran, failed) = tally.counts
        let next = running.nextFire(after: Date())
        if json {
            try Console.json(OncePass(runs: tally.runs, failed: failed.count, nextFire: next.map(OncePass.Due.init)))
        } else if ran == 0 {
            print("nothing due; next fire at \(next.map(String.init(describing:)) ?? "none")")
        }
        if !failed.isEmpty {
            Console.error("heal daemon: \(failed.count) of \(Noun.count(ran, "run")) did not finish: \(failed.joined(separator: "; "))")
            throw ExitCode(1)
        }
    }
}

/// `heal daemon --once --json`: every run the pass started, how many failed, and the next fire time.
struct OncePass: Encodable {
    struct Due: Encodable {
        var pipeline: String
        var date: String
        var at: String
        var catchUp: Bool

        init(_ fire: Daemon.Fire) {
            pipeline = fire.pipeline
            date = fire.date.description
            at = ISO8601DateFormatter().string(from: fire.at)
            catchUp = fire.catchUp
        }

        enum CodingKeys: String, CodingKey {
            case pipeline, date, at
            case catchUp = "catch_up"
        }
    }

    struct Ran: Encodable {
        var fire: Due
        var run: RunSummary
    }

    var runs: [Ran]
    var failed: Int
    var nextFire: Due?

    enum CodingKeys: String, CodingKey {
        case runs, failed
        case nextFire = "next_fire"
    }
}

/// What a `--once` pass ran, counted from the daemon's callback (which may run on any thread).
final class FireTally: @unchecked Sendable {
    private let lock = NSLock()
    private var ran: [OncePass.Ran] = []
    private var failed: [String] = []

    func add(_ fire: Daemon.Fire, _ summary: RunSummary) {
        lock.lock()
        defer { lock.unlock() }
        ran.append(OncePass.Ran(fire: OncePass.Due(fire), run: summary))
        if summary.status == .failed || summary.status == .interrupted {
            failed.append("\(fire.pipeline) \(fire.date) \(summary.status.rawValue) (heal runs show \(summary.runID))")
        }
    }

    var counts: (ran: Int, failed: [String]) {
        lock.lock()
        defer { lock.unlock() }
        return (ran.count, failed)
    }

    var runs: [OncePass.Ran] {
        lock.lock()
        defer { lock.unlock() }
        return ran
    }
}

struct ScheduleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "schedule", abstract: "The next fire times of every scheduled playbook.")
    @Option(help: "How many fire times per playbook.") var count = 3
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var home: HomeOption

    func run() async throws {
        let home = home.resolved
        let config = try Console.configuration(home)
        // The last run and what the daemon would catch up, when there is a history to read.
        let store = FileManager.default.fileExists(atPath: home.metadata.path) ? try MetadataStore(url: home.metadata) : nil
        let overview = try ScheduleOverview.build(home: home, config: config, store: store, count: count)
        if json { return try Console.json(overview) }
        if overview.isEmpty { return print("no playbook has a schedule") }
        for entry in overview {
            print("\(entry.pipeline): \(entry.schedule) in \(entry.timeZone), catchup \(entry.catchup)")
            if let last = entry.lastRun {
                print("  last run \(last.id): \(last.date) \(last.status), started \(last.startedAt)")
            } else {
                print("  no run yet")
            }
            for fire in entry.pending { print("  pending catch-up: \(entry.pipeline) \(fire.date) (catch-up) due \(fire.at)") }
            if entry.next.isEmpty { print("  never fires") }
            for fire in entry.next { print("  \(fire.at)  runs \(fire.date)") }
        }
    }
}

/// `GET /metrics` on the loopback interface: the same page `metrics/heal.prom` holds, computed per request.
final class MetricsServer: Sendable {
    let host: String
    let port: UInt16
    private let task: Task<Void, Error>

    private init(host: String, port: UInt16, task: Task<Void, Error>) {
        self.host = host
        self.port = port
        self.task = task
    }

    /// `HOST:PORT` as a URL names it.
    var address: String { "\(host):\(port)" }

    static func start(host: String, port: UInt16, store: MetadataStore) async throws -> MetricsServer {
        let address: sockaddr_in
        do { address = try sockaddr_in.inet(ip4: host, port: port) } catch {
            Console.error("heal daemon: --metrics-host '\(host)' is not an IPv4 address (127.0.0.1, 0.0.0.0 or one of this machine's)")
            throw ExitCode(2)
        }
        let server = HTTPServer(address: address, timeout: 10, logger: .disabled)
        await server.appendRoute("GET /metrics") { _ in
            do {
                let page = try PrometheusMetrics.render(store)
                return HTTPResponse(
                    statusCode: .ok,
                    headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                    body: Data(page.utf8)
                )
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
            Console.error(
                "heal daemon: cannot serve metrics on \(host):\(port) (\(error)); use --metrics-port to pick another, or 0 for none"
            )
            throw ExitCode(2)
        }
        guard case .ip4(_, let bound)? = await server.listeningAddress else { return MetricsServer(host: host, port: port, task: task) }
        return MetricsServer(host: host, port: bound, task: task)
    }

    func stop() { task.cancel() }
}
