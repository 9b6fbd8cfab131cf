import ArgumentParser
import Foundation
import HealKit

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Scaffold a home: the sales example, or a whole pipeline drafted from a data file.",
        discussion: """
            heal init my-home                      the sales-daily example: playbook, commented skills, a week of landing files
            heal init --from landing/orders_20261118.csv
                                                   a pipeline drafted from the file: contract, quality rules, transform, SQLite load
            Nothing already there is overwritten unless --force; .gitignore gets heal's runtime files.
            """
    )

    enum Example: String, ExpressibleByArgument, CaseIterable { case sales }

    @Argument(help: "The folder to scaffold (default: --home, HEAL_HOME, else the current folder).") var folder: String?
    @Option(help: "The example to write.") var example: Example?
    @Option(help: "Draft a pipeline from this data file (CSV, JSON Lines, JSON; plain or gzip).") var from: String?
    @Option(help: "The drafted pipeline's name (default: from the file's name, without its date).") var name: String?
    @Flag(help: "Replace files that exist.") var force = false
    @OptionGroup var home: HomeOption

    func validate() throws {
        if example != nil && from != nil { throw ValidationError("--example and --from are alternatives; pass one") }
        if name != nil && from == nil { throw ValidationError("--name names a pipeline drafted with --from") }
        if let name, name.range(of: "^[A-Za-z0-9][A-Za-z0-9_-]*$", options: .regularExpression) == nil {
            throw ValidationError("--name '\(name)': use letters, digits, '-' and '_' (it becomes playbooks/NAME.yml)")
        }
    }

    func run() async throws {
        let home = HealHome.resolve(folder ?? home.home)
        let scaffold: HomeScaffold
        var next: [String]
        var summary: String
        do {
            if let from {
                let file = URL(fileURLWithPath: from, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
                    .standardizedFileURL
                guard FileManager.default.fileExists(atPath: file.path) else {
                    Console.error("heal init: \(from): no such file")
                    throw ExitCode(2)
                }
                let profile = try TableProfile.profile(file)
                let draft = PipelineDraft(file: file, name: name, home: home, profile: profile)
                scaffold = draft.scaffold(generated: CalendarDate.of(Date(), in: .current).description)
                let columns = profile.columns.count
                summary =
                    "pipeline \(draft.name) drafted from \(file.lastPathComponent): \(Noun.count(profile.rows, "row")), \(Noun.count(columns, "column")), key \(draft.key ?? "none found")"
                next = ["review skills/\(draft.name)-contract.yml and skills/\(draft.name)-quality.yml", "heal check"]
                next.append("heal run \(draft.name) --date \(draft.date?.description ?? "YYYY-MM-DD")")
            } else {
                scaffold = try SalesExample.scaffold()
                summary = "the \(SalesExample.name) example (pipeline \(SalesExample.pipeline))"
                next = [
                    "heal run \(SalesExample.pipeline) --date 2026-11-18   a clean day",
                    "heal run \(SalesExample.pipeline) --date 2026-11-22   a renamed export, healed",
                ]
            }
        } catch let error as ExitCode {
            throw error
        } catch {
            Console.error("heal init: \(from ?? "the example"): \(error)")
            throw ExitCode(2)
        }
        let conflicts = force ? [] : scaffold.conflicts(in: home)
        if !conflicts.isEmpty {
            Console.error(
                "heal init: \(Noun.count(conflicts.count, "file")) exist already in \(home.root.path): \(conflicts.joined(separator: ", ")); nothing written (pass --force to replace them)"
            )
            throw ExitCode(2)
        }
        let written: [String]
        do { written = try scaffold.write(to: home) } catch {
            Console.error("heal init: cannot write into \(home.root.path): \(error.localizedDescription)")
            throw ExitCode(1)
        }
        print(PrintableText.safe("heal init: \(summary), \(Noun.count(written.count, "file")) in \(home.root.path)"))
        for path in written { print("  \(path)") }
        let cd = folder.map { "cd \(PrintableText.safe($0)) && " } ?? ""
        print("next:")
        for (i, step) in next.enumerated() { print("  \(i == 0 ? cd : "")\(step)") }
    }
}
