import ArgumentParser
import Foundation
import HealKit

struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "The baseline each watched column is judged on: its profiles on the last accepted days."
    )

    @Argument(help: "The pipeline: playbooks/PIPELINE.yml.") var pipeline: String
    @Argument(help: "One column, shown day by day.") var column: String?
    @Option(help: "Accepted days to show (default: the quality step's drift history, 7).") var days: Int?
    @Flag(help: "Print JSON.") var json = false
    @OptionGroup var home: HomeOption

    func run() async throws {
        let home = home.resolved
        let config = try Console.configuration(home, pipeline: pipeline)
        guard let playbook = config.playbooks[pipeline] else {
            Console.error("heal: no playbook named '\(pipeline)' in \(home.display(home.playbooks))/")
            throw ExitCode(2)
        }
        let history =
            days ?? playbook.steps.lazy.compactMap { step -> Int? in
                if let q = config.skills[step.skill]?.settings(QualitySpec.self) { return q.drift.history }
                return nil
            }.first ?? 7
        let report = try ProfileReport.build(
            try RunsCommand.store(home),
            pipeline: pipeline,
            column: column,
            history: history,
            today: CalendarDate.of(Date(), in: playbook.timeZone)
        )
        if json { return try Console.json(report) }
        if let column, report.columns.isEmpty {
            Console.error(
                "heal: no accepted profile of column '\(column)' in \(pipeline); heal profile \(pipeline) lists the profiled columns"
            )
            throw ExitCode(2)
        }
        print(report.text, terminator: "")
    }
}
