import ArgumentParser
import Foundation
import HealKit

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "The run history in metadata.db.",
        subcommands: [List.self, Show.self]
    )

    static func store(_ home: HealHome) throws -> MetadataStore {
        guard FileManager.default.fileExists(atPath: home.metadata.path) else {
            Console.error("heal: no \(home.display(home.metadata)) yet in \(home.root.path); run a pipeline first (heal run PIPELINE)")
            throw ExitCode(2)
        }
        return try MetadataStore(url: home.metadata)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "The latest runs, newest first.")
        @Option(help: "Only this pipeline.") var pipeline: String?
        @Option(help: "How many runs.") var limit = 20
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var home: HomeOption

        func run() async throws {
            let runs = try RunsCommand.store(home.resolved).runs(pipeline: pipeline, limit: limit)
            if json { return try Console.json(runs) }
            if runs.isEmpty { return print("no runs yet") }
            var table = TextTable([
                .init(title: "RUN"), .init(title: "PIPELINE"), .init(title: "DATE"), .status("STATUS"), .number("READ"), .number("LOADED"),
                .number("QUARANTINED"), .number("DEDUPLICATED"), .init(title: "STARTED"),
            ])
            for run in runs {
                table.add([
                    run.id, run.pipeline, run.logicalDate, run.status.rawValue, "\(run.rowsRead)", "\(run.rowsLoaded)",
                    "\(run.rowsQuarantined)",
                    "\(run.rowsDeduplicated)", run.startedAt,
                ])
            }
            table.print()
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Every attempt, artifact, quarantine batch and alert of one run.")
        @Argument(help: "The run id (or its first characters), or 'last' for the latest run.") var run: String
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var home: HomeOption

        struct Detail: Encodable {
            var run: RunRecord
            var attempts: [AttemptRecord]
            var artifacts: [ArtifactRecord]
            var quarantine: [QuarantineBatchRecord]
            var proposals: [ProposalRecord]
            var drift: [MetadataStore.DriftEvent]
            var schemaChanges: [SchemaChangeRecord]
            var alerts: [AlertRecord]

            enum CodingKeys: String, CodingKey {
                case run, attempts, artifacts, quarantine, proposals, drift, alerts
                case schemaChanges = "schema_changes"
            }
        }

        func run() async throws {
            let store = try RunsCommand.store(home.resolved)
            let matches = run == "last" ? try store.runs(pipeline: nil, limit: 1) : try store.run(matching: run)
            guard matches.count == 1, let record = matches.first else {
                Console.error(
                    matches.isEmpty
                        ? "heal: no run '\(run)'; list them with heal runs list"
                        : "heal: '\(run)' matches several runs: \(matches.map(\.id).joined(separator: ", "))"
                )
                throw ExitCode(2)
            }
            let detail = Detail(
                run: record,
                attempts: try store.attempts(run: record.id),
                artifacts: try store.artifacts(run: record.id),
                quarantine: try store.quarantineBatches(run: record.id),
                proposals: try store.proposals(run: record.id),
                drift: try store.driftEvents(run: record.id),
                schemaChanges: try store.schemaChanges(run: record.id),
                alerts: try store.alerts(run: record.id)
            )
            if json { return try Console.json(detail) }
            Output.line([
                "run \(record.id) · \(record.pipeline) · \(record.logicalDate) · ", .status(record.status.rawValue),
                record.forced ? " (forced)" : "",
            ])
            print("started \(record.startedAt), finished \(record.finishedAt ?? "—")")
            print(
                "rows: read \(record.rowsRead) · loaded \(record.rowsLoaded) · quarantined \(record.rowsQuarantined) · deduplicated \(record.rowsDeduplicated) · updated \(record.rowsUpdated)"
            )
            if let error = record.error { print("error: \(error)") }
            print("\nattempts:")
            for a in detail.attempts {
                print(
                    "  \(RunPrinter.pad(a.step, 12)) L\(a.level) \(RunPrinter.pad("\(a.skill)#\(a.attempt)", 22)) \(RunPrinter.pad(a.outcome.rawValue, 5)) \(RunPrinter.pad("\(a.durationMs) ms", 8)) \(a.failureClass.map { "\($0): " } ?? "")\(a.details)"
                )
            }
            if !detail.artifacts.isEmpty {
                print("\nartifacts:")
                for a in detail.artifacts {
                    print(
                        "  \(RunPrinter.pad(a.step, 12)) \(a.path) · \(a.rows.map { "\(Noun.count($0, "row")) · " } ?? "")\(a.bytes) bytes · sha256 \(a.sha256.prefix(16))…"
                    )
                }
            }
            if !detail.quarantine.isEmpty {
                print("\nquarantine:")
                for q in detail.quarantine {
                    let reasons = q.reasonCounts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                    print(PrintableText.safe("  \(q.id) · \(q.path) · \(Noun.count(q.rows, "row")) · \(reasons) · \(q.status)"))
                }
            }
            if !detail.proposals.isEmpty {
                print("\nschema repair proposals:")
                for p in detail.proposals {
                    let cost =
                        p.proposer == "claude"
                        ? " · \(p.promptBytes) B prompt, \(p.inputTokens)+\(p.outputTokens) tokens, \(p.latencyMs) ms\(p.requestId.map { ", request \($0)" } ?? "")"
                        : ""
                    let mapping = p.mapping.flatMap { try? SchemaRepair.parse($0).summary }.map { " · \($0)" } ?? ""
                    print(
                        "  \(p.step) · \(RunPrinter.pad(p.proposer, 9)) \(RunPrinter.pad(p.verdict.rawValue, 8)) \(p.reason)\(mapping)\(cost)"
                    )
                    // The gate's verdict on each column against its history.
                    for line in p.evidence.split(separator: "\n") { print("      profile: \(line)") }
                }
            }
            if !detail.drift.isEmpty {
                print("\ndrift (columns against their history):")
                for d in detail.drift {
                    print(
                        "  \(d.step) · \(RunPrinter.pad(d.column, 14)) \(RunPrinter.pad(d.check, 12)) \(RunPrinter.pad(d.level + (d.accepted ? " (accepted)" : ""), 5)) \(d.detail)"
                    )
                }
            }
            if !detail.schemaChanges.isEmpty {
                print("\nschema changes:")
                for c in detail.schemaChanges { print("  \(c.table) in \(c.target) · \(PrintableText.escaped(c.change.summary))") }
            }
            if !detail.alerts.isEmpty {
                print("\nalerts:")
                for a in detail.alerts {
                    print("  \(a.severity) · \(a.step) · \(a.failureClass?.rawValue ?? "-") · \(a.summary) · \(a.delivery)")
                }
            }
        }
    }
}
