import ArgumentParser
import Foundation
import HealKit

struct BackfillCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "backfill",
        abstract: "Run one pipeline for every logical date from --from to --to, oldest first.",
        discussion: """
            Each date is an ordinary run: one already loaded from the same input is skipped, one that fails alerts and \
            the range goes on. Exit status: 0 when every date succeeded, healed, was partial or skipped; 1 when any \
            failed or was interrupted (SIGTERM stops after the run in progress); 2 usage or configuration error.
            """
    )

    @Argument(help: "The pipeline: playbooks/PIPELINE.yml.")
    var pipeline: String

    @Option(help: "The first logical date, YYYY-MM-DD.")
    var from: String

    @Option(help: "The last logical date, YYYY-MM-DD (included).")
    var to: String

    @OptionGroup var input: RunInputOptions

    @Flag(help: "Print the dates' run summaries and the counts as JSON.")
    var json = false

    @OptionGroup var home: HomeOption

    static func day(_ text: String, _ option: String) throws -> CalendarDate {
        guard let day = CalendarDate.parse(text, format: .iso) else {
            throw ValidationError("\(option) '\(text)' is not a date; expected YYYY-MM-DD, e.g. 2026-11-21")
        }
        return day
    }

    func validate() throws {
        _ = try Self.day(from, "--from")
        _ = try Self.day(to, "--to")
    }

    func run() async throws {
        let home = home.resolved
        let backfill: Backfill
        do { backfill = try Backfill(pipeline: pipeline, from: try Self.day(from, "--from"), to: try Self.day(to, "--to")) } catch let error
            as UsageError
        {
            throw ValidationError(error.message)
        }
        let config = try Console.configuration(home, pipeline: pipeline)
        let store: MetadataStore
        do { store = try MetadataStore(url: home.metadata) } catch {
            Console.error("heal: cannot open \(home.display(home.metadata)): \(error); nothing was run")
            throw ExitCode(2)
        }
        let options = input.options(date: nil)
        var executor = RunExecutor(home: home, config: config, store: store)
        let stop = StopRequest.stopping(&executor, who: "heal backfill")
        let json = self.json
        // Alerts still reach the terminal; attempt lines are left to heal runs show.
        executor.observer = { event in
            if case .alert = event { RunPrinter.show(event, quiet: json) }
        }
        if !json {
            print(
                "heal backfill \(pipeline) · \(backfill.dates.first!) to \(backfill.dates.last!) · \(Noun.count(backfill.dates.count, "date"))"
            )
        }
        let report: Backfill.Report
        do {
            report = try await backfill.run(executor: executor, options: options, shouldStop: { stop.isRequested }) { summary in
                guard !json else { return }
                let r = summary.rows
                Output.line([
                    "\(summary.date)  ", Painted(RunPrinter.pad(summary.status.rawValue, 12), Tint.of(status: summary.status.rawValue)),
                    " read \(r.read) · loaded \(r.loaded) · quarantined \(r.quarantined) · deduplicated \(r.deduplicated)  run \(summary.runID)",
                ])
                if let error = summary.error { print("            \(error)") }
            }
        } catch let error as UsageError {
            Console.error("heal: \(error.message)")
            throw ExitCode(2)
        } catch let busy as RunLockBusy {
            Console.error("heal: \(busy)")
            throw ExitCode(2)
        }
        if json {
            try Console.json(report)
        } else {
            let counts = RunStatus.allCases.compactMap { status in report.counts[status.rawValue].map { "\($0) \(status.rawValue)" } }
            print("\(Noun.count(report.runs.count, "run")): \(counts.joined(separator: " · "))")
            for summary in report.failed { print("  \(summary.date) \(summary.status.rawValue): heal runs show \(summary.runID)") }
            if !report.notRun.isEmpty {
                print(
                    "  stopped before \(report.notRun.first!); not run: \(Noun.count(report.notRun.count, "date")) (heal backfill \(pipeline) --from \(report.notRun.first!) --to \(report.notRun.last!))"
                )
            }
        }
        throw ExitCode(report.exitCode)
    }
}
