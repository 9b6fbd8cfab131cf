import ArgumentParser
import Foundation
import HealKit

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run one pipeline for one logical date.",
        discussion: "Exit status: 0 succeeded, healed, partial or skipped; 1 failed (an alert was raised); 2 usage or configuration error."
    )

    @Argument(help: "The pipeline: playbooks/PIPELINE.yml.")
    var pipeline: String

    @Option(help: "The logical date, YYYY-MM-DD (default: yesterday in the playbook's time zone).")
    var date: String?

    @OptionGroup var input: RunInputOptions

    @Flag(help: "The source changed on purpose: load although values left their history (drift only warns), and make this day history.")
    var acceptDrift = false

    @Flag(help: "Print the run summary as JSON.")
    var json = false

    @OptionGroup var home: HomeOption

    func validate() throws {
        if let date, CalendarDate.parse(date, format: DateFormat("yyyy-MM-dd")!) == nil {
            throw ValidationError("--date '\(date)' is not a date; expected YYYY-MM-DD, e.g. 2026-11-21")
        }
    }

    func run() async throws {
        let home = home.resolved
        let config = try Console.configuration(home, pipeline: pipeline)
        let day = date.flatMap { CalendarDate.parse($0, format: DateFormat("yyyy-MM-dd")!) }
        /// When heal cannot keep its own records, a person must still hear of it.
        func alertOutOfBand(step: String, _ problem: String) async {
            guard let playbook = config.playbooks[pipeline] else { return }
            let alert = await OutOfBandAlert.raise(
                playbook: playbook,
                home: home,
                date: day ?? CalendarDate.of(Date(), in: playbook.timeZone).adding(days: -1),
                step: step,
                problem: problem
            )
            Console.error("ALERT " + alert.text.replacingOccurrences(of: "\n", with: "\n      "))
        }
        let store: MetadataStore
        do { store = try MetadataStore(url: home.metadata) } catch {
            let problem = "cannot open \(home.display(home.metadata)): \(error); nothing was run"
            Console.error("heal: \(problem)")
            await alertOutOfBand(step: "metadata", problem)
            throw ExitCode(2)
        }
        var options = input.options(date: day)
        options.acceptDrift = acceptDrift
        var executor = RunExecutor(home: home, config: config, store: store)
        StopRequest.stopping(&executor, who: "heal run")
        let json = self.json
        let line = json ? nil : ProgressLine(progress: executor.progress)
        executor.observer = { event in
            line?.clear()
            RunPrinter.show(event, quiet: json)
        }
        line?.start()
        let summary: RunSummary
        do {
            defer { line?.stop() }
            summary = try await executor.run(pipeline: pipeline, options: options)
        } catch let error as UsageError {
            Console.error("heal: \(error.message)")
            throw ExitCode(2)
        } catch let busy as RunLockBusy {
            Console.error("heal: \(busy)")
            throw ExitCode(2)
        } catch {
            let problem =
                "the run stopped on an internal error: \(error); nothing was loaded after the last committed step (see heal runs list)"
            Console.error("heal: \(problem)")
            await alertOutOfBand(step: "run", problem)
            throw ExitCode(1)
        }
        if json {
            try Console.json(summary)
        } else {
            RunPrinter.finish(summary, home: home, store: store)
        }
        throw ExitCode(summary.status.exitCode)
    }
}

/// Human-readable progress: one line per attempt, then the totals.
enum RunPrinter {
    static func show(_ event: RunEvent, quiet: Bool) {
        switch event {
        case .started(let runID, let pipeline, let date):
            if !quiet { print("heal run \(pipeline) · \(date) · run \(runID)") }
        case .attempt(let step, let attempt):
            guard !quiet else { return }
            let what = attempt.level == 1 ? attempt.skill : "↳ \(attempt.skill)"
            let mark = attempt.outcome == .pass ? "ok  " : attempt.outcome == .skip ? "skip" : "FAIL"
            let failure = attempt.failureClass.map { "\($0): " } ?? ""
            let retry = attempt.attempt > 1 && attempt.level == 1 ? " (try \(attempt.attempt))" : ""
            Output.line([
                "  ", Painted(mark, Tint.of(status: attempt.outcome.rawValue)),
                "  \(pad(step, 12)) \(pad(what, 20)) \(pad("\(attempt.durationMs) ms", 8)) \(failure)\(attempt.details)\(retry)",
            ])
        case .alert(let alert, let delivery):
            let label = alert.severity == .resolved ? "RESOLVED " : "ALERT "
            Output.line(
                [
                    Painted(label, alert.severity == .resolved ? .green : .red),
                    Painted(alert.text.replacingOccurrences(of: "\n", with: "\n" + String(repeating: " ", count: label.count))),
                ],
                to: STDERR_FILENO
            )
            Console.error(String(repeating: " ", count: label.count) + "delivery: \(delivery.joined(separator: "; "))")
        }
    }

    static func finish(_ summary: RunSummary, home: HealHome, store: MetadataStore) {
        let r = summary.rows
        Output.line([
            .status(summary.status.rawValue),
            ": read \(r.read) · loaded \(r.loaded) · quarantined \(r.quarantined) · deduplicated \(r.deduplicated)\(r.updated > 0 ? " · updated \(r.updated)" : "")",
        ])
        if let error = summary.error { print("  \(error)") }
        if let why = summary.partialBecause { print("  partial: \(why)") }
        for source in summary.sources ?? [] {
            let s = source.rows
            let figures =
                source.role == .skipped
                ? source.note ?? "" : "read \(s.read) · loaded \(s.loaded) · quarantined \(s.quarantined) · deduplicated \(s.deduplicated)"
            print("  source \(source.name) (\(source.role)): \(figures)")
        }
        for batch in (try? store.quarantineBatches(run: summary.runID)) ?? [] {
            print("quarantine: \(batch.path) (\(Noun.count(batch.rows, "row")))")
        }
        print("inspect: heal runs show \(summary.runID)")
    }

    static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}
