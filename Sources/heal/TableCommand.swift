import ArgumentParser
import Foundation
import HealKit

struct TableCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "table",
        abstract: "A pipeline's warehouse table against its contract: describe it, migrate it.",
        subcommands: [Describe.self, Migrate.self]
    )

    static func maintenance(_ home: HealHome, _ pipeline: String) throws -> TableMaintenance {
        let config = try Console.configuration(home, pipeline: pipeline)
        guard let playbook = config.playbooks[pipeline] else {
            Console.error("heal: no playbook named '\(pipeline)' in \(home.display(home.playbooks))/")
            throw ExitCode(2)
        }
        return TableMaintenance(home: home, playbook: playbook, skills: config.skills)
    }

    static func failed(_ failure: SkillFailure) -> ExitCode {
        Console.error("heal: \(PrintableText.safe(failure.details))")
        return ExitCode(1)
    }

    struct Describe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Each column of the pipeline's tables: its type in the warehouse, the contract's, and what to do about a difference."
        )

        @Argument(help: "The pipeline: playbooks/PIPELINE.yml.") var pipeline: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var home: HomeOption

        func run() async throws {
            let home = home.resolved
            let maintenance = try TableCommand.maintenance(home, pipeline)
            let store = FileManager.default.fileExists(atPath: home.metadata.path) ? try MetadataStore(url: home.metadata) : nil
            do {
                let tables = try await maintenance.describe(store: store)
                if json { return try Console.json(tables) }
                if tables.isEmpty { print("\(pipeline) has no load step") }
                for table in tables { print(table.text, terminator: "") }
            } catch let failure as SkillFailure {
                throw TableCommand.failed(failure)
            }
        }
    }

    struct Migrate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Retype columns (a checked cast of every row) or drop columns heal added, in one transaction recorded in metadata.db.",
            discussion:
                "Without --retype or --drop, every column whose type differs from the contract is retyped to it (see heal table describe)."
        )

        @Argument(help: "The pipeline: playbooks/PIPELINE.yml.") var pipeline: String
        @Option(
            help:
                "A column to retype, as COLUMN (to the contract's type) or COLUMN:TYPE (string, integer, decimal, boolean, date, timestamp, timestamptz)."
        )
        var retype: [String] = []
        @Option(help: "A column outside the contract to drop, with its values.") var drop: [String] = []
        @Option(help: "The table, when the pipeline loads more than one.") var table: String?
        @Flag(help: "Print the changes made as JSON.") var json = false
        @OptionGroup var home: HomeOption

        /// What `--json` prints: the table and each change, as heal runs show lists schema changes.
        struct Migrated: Encodable {
            var table: String
            var target: String
            var changes: [SchemaChange]
        }

        func run() async throws {
            let home = home.resolved
            let maintenance = try TableCommand.maintenance(home, pipeline)
            do {
                let (target, changes) = try await maintenance.migrate(
                    table: table,
                    retype: retype,
                    drop: drop,
                    store: try MetadataStore(url: home.metadata)
                )
                if json { return try Console.json(Migrated(table: target.table, target: target.shown, changes: changes)) }
                if changes.isEmpty { print("\(target.table) in \(target.shown) already matches the contract; nothing to migrate") }
                for change in changes { print("\(target.table): \(PrintableText.escaped(change.summary))") }
            } catch let failure as SkillFailure {
                throw TableCommand.failed(failure)
            }
        }
    }
}
