import ArgumentParser
import Foundation
import HealKit

struct MappingsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mappings",
        abstract: "Learned schema repairs, reused without a model call.",
        subcommands: [List.self, Show.self, Approve.self, Reject.self, Promote.self, Forget.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every remembered mapping.")
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var home: HomeOption

        func run() async throws {
            let mappings = try RunsCommand.store(home.resolved).mappings()
            if json { return try Console.json(mappings) }
            if mappings.isEmpty { return print("no learned mappings yet") }
            var table = TextTable([
                .number("ID"), .init(title: "PIPELINE"), .init(title: "SKILL"), .init(title: "PROPOSER"), .status("STATUS"),
                .number("USES"),
                .init(title: "LAST USED"), .init(title: "MAPPING"),
            ])
            for m in mappings {
                let summary = (try? SchemaRepair.parse(m.mapping).summary) ?? m.mapping.text
                table.add([
                    String(m.id ?? 0), m.pipeline, m.skill, m.proposer, m.status.rawValue, String(m.uses), m.lastUsedAt ?? "—", summary,
                ])
            }
            table.print()
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One mapping: the header it applies to and its operations.")
        @Argument(help: "The mapping id (heal mappings list).") var id: Int64
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var home: HomeOption

        func run() async throws {
            guard let m = try RunsCommand.store(home.resolved).mapping(id: id) else {
                Console.error("heal: no mapping \(id); list them with heal mappings list")
                throw ExitCode(2)
            }
            if json { return try Console.json(m) }
            print(
                "mapping \(id) · \(m.pipeline) · \(m.skill) · learned from \(m.proposer) on \(m.createdAt) · used \(Noun.count(m.uses, "time")) · \(m.status)"
            )
            let waiting = try RunsCommand.store(home.resolved).pendingDates(mapping: id)
            if !waiting.isEmpty {
                print(
                    "waiting for a person: \(waiting.joined(separator: ", ")) (heal mappings approve \(id) or heal mappings reject \(id))"
                )
            }
            print("header: \(m.header)")
            print("contract version: \(m.contractVersion)")
            for operation in (try? SchemaRepair.parse(m.mapping).operations) ?? [] { print("  \(operation)") }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve a mapping waiting for a person (approval: first_use or always); the next run of its date uses it."
        )
        @Argument(help: "The mapping id (heal mappings list).") var id: Int64
        @Flag(help: "Print the decision as JSON.") var json = false
        @OptionGroup var home: HomeOption
        func run() async throws { try MappingsCommand.review(id, approve: true, json: json, home: home.resolved) }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Reject a mapping: it is never used, and proposers offering it again are refused."
        )
        @Argument(help: "The mapping id (heal mappings list).") var id: Int64
        @Flag(help: "Print the decision as JSON.") var json = false
        @OptionGroup var home: HomeOption
        func run() async throws { try MappingsCommand.review(id, approve: false, json: json, home: home.resolved) }
    }

    /// What `approve --json` and `reject --json` print: the decision, the mapping, and the dates it was waiting for.
    struct Decision: Encodable {
        var action: String
        var mapping: MappingRecord
        var dates: [String]
    }

    static func review(_ id: Int64, approve: Bool, json: Bool, home: HealHome) throws {
        let store = try RunsCommand.store(home)
        guard let m = try store.mapping(id: id) else {
            Console.error("heal: no mapping \(id); list them with heal mappings list")
            throw ExitCode(2)
        }
        let actor = ProcessInfo.processInfo.environment["USER"] ?? "someone"
        let dates = try store.reviewMapping(id: id, approve: approve, actor: actor)
        if json {
            return try Console.json(
                Decision(
                    action: approve ? "approved" : "rejected",
                    mapping: try store.mapping(id: id) ?? m,
                    dates: dates.filter { !$0.isEmpty }
                )
            )
        }
        let summary = (try? SchemaRepair.parse(m.mapping).summary) ?? m.mapping.text
        print("\(approve ? "approved" : "rejected") mapping \(id) (\(summary))")
        for date in dates where !date.isEmpty {
            print(
                approve
                    ? "next: heal run \(m.pipeline) --date \(date)"
                    : "\(date) still needs a file or a mapping that fits: heal run \(m.pipeline) --date \(date) asks the proposers again"
            )
        }
    }

    struct Promote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a mapping's renames into its contract's aliases, so that drift needs no proposer next time.",
            discussion: "The contract file keeps its comments and layout; only the aliases lists change."
        )
        @Argument(help: "The mapping id (heal mappings list).") var id: Int64
        @Flag(help: "Print the aliases added and the operations left as JSON.") var json = false
        @OptionGroup var home: HomeOption

        /// What `--json` prints.
        struct Promoted: Encodable {
            var file: String
            var added: [String]
            var skipped: [String]
        }

        func run() async throws {
            let home = self.home.resolved
            guard let m = try RunsCommand.store(home).mapping(id: id) else {
                Console.error("heal: no mapping \(id); list them with heal mappings list")
                throw ExitCode(2)
            }
            let repair: SchemaRepair
            do { repair = try SchemaRepair.parse(m.mapping) } catch {
                Console.error("heal: mapping \(id) no longer parses: \(error.reason)")
                throw ExitCode(2)
            }
            let outcome: AliasPromotion.Outcome
            do { outcome = try AliasPromotion.promote(repair, skill: m.skill, home: home) } catch let error as ConfigError {
                Console.error("heal: \(error)")
                throw ExitCode(2)
            }
            if json { return try Console.json(Promoted(file: "skills/\(m.skill).yml", added: outcome.added, skipped: outcome.skipped)) }
            for added in outcome.added { print("added alias: \(added)") }
            for skipped in outcome.skipped { print("left as it is: \(skipped)") }
            print(outcome.added.isEmpty ? "skills/\(m.skill).yml is unchanged" : "wrote skills/\(m.skill).yml; check it with heal check")
        }
    }

    struct Forget: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Forget a mapping; the next drift asks the proposers again.")
        @Argument(help: "The mapping id.") var id: Int64
        @Flag(help: "Print what was forgotten as JSON.") var json = false
        @OptionGroup var home: HomeOption

        /// What `--json` prints: the mapping as it was, so a script can keep or restore it.
        struct Forgotten: Encodable {
            var action = "forgot"
            var mapping: MappingRecord
        }

        func run() async throws {
            let store = try RunsCommand.store(home.resolved)
            guard let mapping = try store.mapping(id: id), try store.forgetMapping(id: id) else {
                Console.error("heal: no mapping \(id); list them with heal mappings list")
                throw ExitCode(2)
            }
            if json { return try Console.json(Forgotten(mapping: mapping)) }
            print("forgot mapping \(id)")
        }
    }
}
