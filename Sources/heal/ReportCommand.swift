import ArgumentParser
import Foundation
import HealKit

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Failure-pattern reports from metadata.db.",
        subcommands: [Weekly.self]
    )

    struct Weekly: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "What failed, what healed it, what keeps coming back, and what to change.",
            discussion:
                "The period is an ISO week (--week 2026-W47), --since a date up to yesterday, or by default the 7 days before today (UTC)."
        )
        @Option(help: "Only this pipeline.") var pipeline: String?
        @Option(help: "An ISO week, YYYY-Www.") var week: String?
        @Option(help: "From this logical date (YYYY-MM-DD) up to yesterday.") var since: String?
        @Option(help: "md, json or html.") var format: String = "md"
        @Option(help: "Write to this file instead of standard output.") var out: String?
        @OptionGroup var home: HomeOption

        func validate() throws {
            guard ["md", "json", "html"].contains(format) else {
                throw ValidationError("--format must be md, json or html, not '\(format)'")
            }
            if week != nil && since != nil { throw ValidationError("give --week or --since, not both") }
        }

        func run() async throws {
            let store = try RunsCommand.store(home.resolved)
            let report: WeeklyReport
            do {
                let period = try WeeklyReportBuilder.period(
                    week: week,
                    since: since,
                    today: CalendarDate.of(Date(), in: TimeZone(identifier: "UTC")!)
                )
                report = try WeeklyReportBuilder(store: store).build(period, pipeline: pipeline)
            } catch let error as UsageError {
                Console.error("heal: \(error)")
                throw ExitCode(2)
            }
            // An empty default week on a home whose runs are older says where they are.
            if report.runs == 0 && week == nil && since == nil,
                let latest = try store.runs(pipeline: pipeline, limit: 1).first,
                let date = CalendarDate.parse(latest.logicalDate, format: .iso), let latestWeek = WeeklyReportBuilder.isoWeek(of: date)
            {
                Console.error(
                    "heal: no runs in \(report.period.label); the latest run is of \(latest.logicalDate), in week \(latestWeek): heal report weekly --week \(latestWeek)"
                )
            }
            let text: String
            switch format {
            case "json":
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
                text = String(decoding: try encoder.encode(report), as: UTF8.self) + "\n"
            case "html": text = ReportHTML.render(report)
            default: text = ReportMarkdown.render(report)
            }
            if let out {
                try Data(text.utf8).write(to: URL(fileURLWithPath: out), options: .atomic)
                Console.error("weekly report \(report.period.label) → \(out)")
            } else {
                Output.document(Data(text.utf8))
            }
        }
    }
}
