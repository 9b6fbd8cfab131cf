import ArgumentParser
import Foundation
import HealKit

/// `heal`: self-healing batch pipelines. Parsing and printing only; the work is in HealKit.
@main
struct Heal: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "heal",
        abstract: "Run self-healing batch data pipelines.",
        version: HealVersion.string,
        subcommands: [
            RunCommand.self, BackfillCommand.self, RunsCommand.self, QuarantineCommand.self, ReportCommand.self, DaemonCommand.self,
            ScheduleCommand.self, MappingsCommand.self, ProfileCommand.self, TableCommand.self, CheckCommand.self, InferCommand.self,
            InitCommand.self,
        ]
    )

    /// Usage errors exit 2 (ArgumentParser's default is 64), so scripts can tell them from a failed run.
    static func main() async {
        // A closed pipe (`heal run … | head`) must not kill a run halfway: writes to it fail quietly instead.
        signal(SIGPIPE, SIG_IGN)
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) != .success, let unknown = unknownSubcommand(Array(CommandLine.arguments.dropFirst())) {
                Console.error(unknown)
                Foundation.exit(2)
            }
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                Foundation.exit(0)
            }
            if !message.isEmpty { Console.error(message) }
            Foundation.exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

extension Heal {
    /// "heal rn" or "heal quarantine lst": the command word that is none, with the nearest one.
    static func unknownSubcommand(_ arguments: [String]) -> String? {
        var command: ParsableCommand.Type = Heal.self
        var path = ["heal"]
        for word in arguments {
            let subcommands = command.configuration.subcommands
            guard !subcommands.isEmpty, !word.hasPrefix("-"), word != "help" else { return nil }
            let names = subcommands.map { $0._commandName }
            guard let next = subcommands.first(where: { $0._commandName == word }) else {
                let hint = NearMiss.suggestion(for: word, among: names).map { "; did you mean '\($0)'?" } ?? ""
                return PrintableText.safe(
                    "\(path.joined(separator: " ")): '\(word)' is not a command\(hint) (\(path.joined(separator: " ")) --help lists them: \(names.joined(separator: ", ")))"
                )
            }
            command = next
            path.append(word)
        }
        return nil
    }
}

struct HomeOption: ParsableArguments {
    @Option(name: .long, help: "The folder holding playbooks/, skills/ and metadata.db (default: HEAL_HOME, else the current folder).")
    var home: String?

    var resolved: HealHome { HealHome.resolve(home) }
}

enum Console {
    static func error(_ text: String) {
        Output.write(PrintableText.safe(text) + "\n", to: STDERR_FILENO)
    }

    static func json<T: Encodable>(_ value: T) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        // JSON escapes C0 controls itself; what it leaves raw (DEL, C1, bidi overrides) becomes \uXXXX, so the
        // document stays valid JSON and safe on a terminal.
        let text = String(decoding: try encoder.encode(value), as: UTF8.self)
        Output.write(PrintableText.jsonEscaped(Secrets.process.redact(text)) + "\n", to: STDOUT_FILENO)
    }

    /// Loads the configuration; problems in the given files (or any, when none are given) stop with exit 2.
    static func configuration(_ home: HealHome, pipeline: String? = nil) throws -> ProjectConfig {
        let (config, errors) = pipeline.map { ProjectConfig.load(from: home, pipeline: $0) } ?? ProjectConfig.load(from: home)
        var relevant = errors
        if let pipeline, let playbook = config.playbooks[pipeline] {
            // Compared with the .yml spelling, whichever of .yml/.yaml a file uses.
            let files = Set(
                [playbook.file.replacingOccurrences(of: ".yaml", with: ".yml")]
                    + playbook.steps.flatMap { [$0.skill] + $0.onFailure.values.flatMap { $0 } }.map { "skills/\($0).yml" }
            )
            relevant = errors.filter { files.contains($0.file.replacingOccurrences(of: ".yaml", with: ".yml")) }
        } else if let pipeline {
            relevant = errors.filter { $0.file.hasPrefix("playbooks/\(pipeline).") }
        }
        if !relevant.isEmpty {
            for error in relevant { Console.error(error.description) }
            Console.error("heal: fix the configuration above (heal check lists every problem)")
            throw ExitCode(2)
        }
        return config
    }
}
