import ArgumentParser
import Foundation
import HealKit

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Lint every playbook and skill config; errors name file:line:column.",
        discussion: """
            With --connect, also try every source, lookup file and target the playbooks name, for one date, without \
            fetching or loading: a missing folder, an unset {env.X}, a refused password or token shows now, not at 2 AM. \
            Exit status: 0 clean (a day's file not there yet only warns), 1 a source or target unreachable, \
            2 a configuration problem (a file, a variable, a credential).
            """
    )

    @Flag(help: "Also try every source, lookup, target and credential.") var connect = false
    @Option(help: "With --connect: the logical date sources are rendered for (default: each playbook's yesterday).") var date: String?
    @Option(help: "With --connect: only this pipeline.") var pipeline: String?
    @OptionGroup var variables: VariableOptions
    @Flag(help: "Print the result as JSON.") var json = false
    @OptionGroup var home: HomeOption

    struct Report: Encodable {
        struct Problem: Encodable {
            var file: String
            var line: Int
            var column: Int
            var message: String
        }

        var playbooks: Int
        var skills: Int
        var problems: [Problem]
        var probes: [ConnectionCheck.Probe]?
    }

    func validate() throws {
        if let date, CalendarDate.parse(date, format: .iso) == nil {
            throw ValidationError("--date '\(date)' is not a date; expected YYYY-MM-DD, e.g. 2026-11-21")
        }
        if !connect && (date != nil || pipeline != nil || !variables.pairs.isEmpty) {
            throw ValidationError("--date, --pipeline and --var go with --connect")
        }
    }

    func run() async throws {
        let home = home.resolved
        let (config, errors) = ProjectConfig.load(from: home)
        if config.playbooks.isEmpty && errors.isEmpty {
            Console.error(
                "heal: no playbooks in \(home.display(home.playbooks)) (looked in \(home.root.path)); heal init writes an example"
            )
            throw ExitCode(2)
        }
        if let pipeline, config.playbooks[pipeline] == nil {
            Console.error(
                "heal check: no playbook '\(pipeline)'; the playbooks are \(config.playbooks.keys.sorted().joined(separator: ", "))"
            )
            throw ExitCode(2)
        }
        var probes: [ConnectionCheck.Probe]?
        if connect {
            probes = await ConnectionCheck(home: home, config: config)
                .run(pipeline: pipeline, date: date.flatMap { CalendarDate.parse($0, format: .iso) }, variables: variables.values)
        }
        let failed = (probes ?? []).filter { $0.verdict == .fail }
        if json {
            try Console.json(
                Report(
                    playbooks: config.playbooks.count,
                    skills: config.skills.count,
                    problems: errors.map { .init(file: $0.file, line: $0.line, column: $0.column, message: $0.message) },
                    probes: probes
                )
            )
        } else {
            for error in errors { Console.error(error.description) }
            if let probes { print(ProbeTable.render(probes)) }
            if !errors.isEmpty { Console.error(Noun.count(errors.count, "problem") + " found") }
            if !failed.isEmpty { Console.error("\(failed.count) of \(Noun.count(probes?.count ?? 0, "connection")) failed") }
        }
        if !errors.isEmpty || failed.contains(where: { $0.failureClass == .configuration }) { throw ExitCode(2) }
        if !failed.isEmpty { throw ExitCode(1) }
        if !json {
            print(
                "ok: \(Noun.count(config.playbooks.count, "playbook")), \(Noun.count(config.skills.count, "skill config"))\(probes.map { ", \(Noun.count($0.count, "connection")) tried" } ?? "")"
            )
        }
    }
}

/// The probes as aligned lines, one per thing tried.
enum ProbeTable {
    static func render(_ probes: [ConnectionCheck.Probe]) -> String {
        let skillWidth = probes.map(\.skill.count).max() ?? 0
        return probes.map { probe in
            let verdict = probe.verdict == .ok ? "ok  " : probe.verdict == .warn ? "warn" : "FAIL"
            let detail = probe.failureClass.map { "\($0.rawValue): \(probe.detail)" } ?? "\(probe.subject): \(probe.detail)"
            return PrintableText.safe(
                "\(verdict)  \(RunPrinter.pad(probe.pipeline, 12)) \(RunPrinter.pad(probe.skill, skillWidth)) \(RunPrinter.pad(probe.role, 6)) \(detail)"
            )
        }.joined(separator: "\n")
    }
}
