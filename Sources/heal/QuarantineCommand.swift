import ArgumentParser
import Foundation
import HealKit

struct QuarantineCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quarantine",
        abstract: "Review quarantined rows: list, show, export, release, discard.",
        subcommands: [List.self, Show.self, Export.self, Release.self, Discard.self]
    )

    static func review(_ home: HomeOption) throws -> QuarantineReview {
        let home = home.resolved
        return QuarantineReview(home: home, store: try RunsCommand.store(home))
    }

    /// Runs a review action; the reviewer's mistakes (an unknown batch, a missing reason) exit 2 with the message.
    static func reviewing<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch { throw reviewerMistake(error) }
    }

    static func reviewing<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch { throw reviewerMistake(error) }
    }

    /// An unknown batch, a missing reason or a malformed edited file exits 2 with its message; anything else passes.
    static func reviewerMistake(_ error: Error) -> Error {
        switch error {
        case let error as QuarantineReviewError:
            Console.error("heal: \(error)")
            return ExitCode(2)
        case let error as TableError:
            Console.error("heal: \(error)")
            return ExitCode(2)
        default:
            return error
        }
    }

    /// The statuses a batch can have: a typo is refused with the list, not answered with an empty table.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Quarantine batches, newest first: rows by reason and what became of them."
        )
        @Option(help: "Only this pipeline.") var pipeline: String?
        @Option(help: "Only logical dates from this one on (YYYY-MM-DD).") var since: String?
        @Option(help: "Only batches in this status (superseded ones are hidden otherwise).") var status: QuarantineBatchStatus?
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var home: HomeOption

        func validate() throws {
            if let since, CalendarDate.parse(since, format: .iso) == nil {
                throw ValidationError("--since '\(since)' is not a date; expected YYYY-MM-DD")
            }
        }

        func run() async throws {
            let review = try QuarantineCommand.review(home)
            let batches = try review.store.quarantineBatches(pipeline: pipeline, since: since, status: status)
            let summaries = try QuarantineCommand.reviewing { try batches.map(review.summary) }
            if json { return try Console.json(summaries) }
            if batches.isEmpty { return print("no quarantine batches\(pipeline.map { " for \($0)" } ?? "")") }
            var table = TextTable([
                .init(title: "BATCH"), .init(title: "PIPELINE"), .init(title: "DATE"), .init(title: "STEP"), .number("ROWS"),
                .number("OPEN"),
                .status("STATUS"), .init(title: "OPEN BY REASON"),
            ])
            for b in summaries {
                // The open rows by reason, as of now; "—" once none is open.
                let reasons =
                    b.openReasons.isEmpty
                    ? "—"
                    : b.openReasons.sorted { ($1.value, $0.key) < ($0.value, $1.key) }
                        .map { "\($0.key) \($0.value)" }.joined(separator: ", ")
                table.add([b.id, b.pipeline, b.logicalDate, b.step, String(b.rows), String(b.open), b.status.rawValue, reasons])
            }
            table.print()
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "The rows of one batch: source line, reason, rule, column, value and the row."
        )
        @Argument(help: "The batch id or a unique prefix (heal quarantine list).") var batch: String
        @Option(help: "Only rows of this rule (not_null), rule and column (not_null:amount) or reason words.") var reason: String?
        @Option(help: "At most this many rows.") var limit: Int?
        @Flag(help: "Print JSON Lines.") var json = false
        @OptionGroup var home: HomeOption

        func run() async throws {
            let review = try QuarantineCommand.review(home)
            try QuarantineCommand.reviewing {
                let batch = try review.batch(self.batch)
                if !json {
                    print(
                        "batch \(batch.id) · \(batch.pipeline) · \(batch.logicalDate) · step \(batch.step) · \(batch.status) · \(Noun.count(batch.rows, "row")) (\(batch.open) open, \(batch.released) released, \(batch.discarded) discarded) · \(batch.path)"
                    )
                    if batch.status == .superseded {
                        print(
                            "superseded: a later run of \(batch.logicalDate) holds that day's rows in a batch of its own (heal quarantine list --pipeline \(batch.pipeline) --since \(batch.logicalDate))"
                        )
                    }
                }
                var header: [String] = []
                var rows: [QuarantinedRow] = []
                header = try review.rows(of: batch, reason: reason, limit: limit) { rows.append($0) }
                for row in rows {
                    if json {
                        // The export's layout, so a script reads show and export alike.
                        print(
                            PrintableText.jsonEscaped(String(decoding: try QuarantineReview.jsonLine(row, header: header), as: UTF8.self))
                        )
                        continue
                    }
                    let fields = zip(header, row.fields).map { "\($0)=\($1)" }.joined(separator: " ")
                    print("line \(row.sourceLine) [\(row.state)] \(row.rule)\(row.column.isEmpty ? "" : " \(row.column)"): \(row.reason)")
                    print("    \(fields)")
                }
                if !json && rows.isEmpty { print("no rows\(reason.map { " match '\($0)'" } ?? "")") }
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a batch's rows, with their state, as CSV (editable for release --file) or JSON Lines."
        )
        @Argument(help: "The batch id or a unique prefix.") var batch: String
        @Option(help: "csv or jsonl.") var format: String = "csv"
        @Option(help: "The file to write (default: standard output).") var out: String?
        @OptionGroup var home: HomeOption

        func validate() throws {
            guard QuarantineReview.ExportFormat(rawValue: format) != nil else {
                throw ValidationError("--format must be csv or jsonl, not '\(format)'")
            }
        }

        func run() async throws {
            let review = try QuarantineCommand.review(home)
            let target =
                out.map { URL(fileURLWithPath: $0) }
                ?? FileManager.default.temporaryDirectory.appendingPathComponent("heal-export-\(UUID().uuidString).\(format)")
            let count = try QuarantineCommand.reviewing {
                try review.export(try review.batch(batch), format: QuarantineReview.ExportFormat(rawValue: format)!, to: target)
            }
            if let out {
                Console.error("\(Noun.count(count, "row")) → \(out)")
            } else {
                Output.document(try Data(contentsOf: target))
                try? FileManager.default.removeItem(at: target)
            }
        }
    }

    struct Release: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Send rows back through the pipeline's checks and transforms; load those that pass, once.",
            discussion:
                "Rows run from the step that quarantined them (fetch, health checks and commands are not run). Rows that fail again stay open in the batch. Edit rows by exporting the batch as CSV, changing values, and passing the file with --file."
        )
        @Argument(help: "The batch id or a unique prefix.") var batch: String
        @Option(help: "Only these source lines, e.g. 82,243-250.") var rows: String?
        @Option(help: "An edited export of the batch (CSV with _source_line and the row's columns).") var file: String?
        @Option(name: .customLong("set"), help: "COLUMN=VALUE: put this value into the column of every row released (repeatable).")
        var assignments: [String] = []
        @Flag(help: "Print JSON.") var json = false
        @OptionGroup var home: HomeOption

        func validate() throws {
            if let rows, Release.lines(rows) == nil {
                throw ValidationError("--rows '\(rows)' is not a list of line numbers like 82,243-250")
            }
            for assignment in assignments where Release.assignment(assignment) == nil {
                throw ValidationError("--set '\(assignment)' is not COLUMN=VALUE")
            }
        }

        /// `COLUMN=VALUE`; the value may be empty (a NULL) and may hold `=`.
        static func assignment(_ text: String) -> (column: String, value: String)? {
            guard let eq = text.firstIndex(of: "="), eq != text.startIndex else { return nil }
            return (String(text[..<eq]), String(text[text.index(after: eq)...]))
        }

        static func lines(_ text: String) -> Set<Int>? {
            var lines: Set<Int> = []
            for part in text.split(separator: ",") {
                let bounds = part.split(separator: "-", omittingEmptySubsequences: false).map {
                    Int($0.trimmingCharacters(in: .whitespaces))
                }
                switch bounds.count {
                case 1:
                    guard let n = bounds[0] else { return nil }
                    lines.insert(n)
                case 2:
                    guard let a = bounds[0], let b = bounds[1], a <= b else { return nil }
                    lines.formUnion(a...b)
                default: return nil
                }
            }
            return lines.isEmpty ? nil : lines
        }

        func run() async throws {
            let review = try QuarantineCommand.review(home)
            let config = try Console.configuration(review.home)
            let release = QuarantineRelease(review: review, config: config)
            let report: QuarantineRelease.Report
            do {
                report = try await QuarantineCommand.reviewing {
                    try await release.release(
                        batch,
                        lines: rows.flatMap(Release.lines),
                        edited: file.map { URL(fileURLWithPath: $0) },
                        set: assignments.compactMap(Release.assignment),
                        actor: QuarantineReview.actor()
                    )
                }
            } catch let failure as SkillFailure {
                Console.error("heal: the release failed and nothing was loaded: \(failure.failureClass.rawValue): \(failure.details)")
                throw ExitCode(1)
            }
            if json {
                try Console.json(report)
            } else {
                for step in report.steps { print("  \(step)") }
                for (line, reason) in report.failures.sorted(by: { $0.key < $1.key }) { print("  kept line \(line): \(reason)") }
                print(
                    "\(report.status): \(Noun.count(report.candidates, "row")) offered · loaded \(report.loaded) · kept in quarantine \(report.kept) · deduplicated \(report.deduplicated) (run \(report.runID))"
                )
            }
            if report.status == .failed { throw ExitCode(1) }
        }
    }

    struct Discard: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Mark a batch's open rows discarded, with why; recorded with who and when."
        )
        @Argument(help: "The batch id or a unique prefix.") var batch: String
        @Option(help: "Why the rows are not worth loading (required).") var reason: String
        @Option(help: "Only these source lines, e.g. 82,243-250.") var rows: String?
        @Flag(help: "Print the recorded action as JSON.") var json = false
        @OptionGroup var home: HomeOption

        func validate() throws {
            if let rows, Release.lines(rows) == nil {
                throw ValidationError("--rows '\(rows)' is not a list of line numbers like 82,243-250")
            }
        }

        func run() async throws {
            let review = try QuarantineCommand.review(home)
            let action = try QuarantineCommand.reviewing {
                try review.discard(
                    try review.batch(batch),
                    reason: reason,
                    actor: QuarantineReview.actor(),
                    lines: rows.flatMap(Release.lines)
                )
            }
            if json { return try Console.json(action) }
            let left = try review.batch(action.batchId)
            print(
                PrintableText.safe(
                    "discarded \(Noun.count(action.rows, "row")) of batch \(action.batchId) (by \(action.actor): \(action.detail)); \(left.open) open, batch \(left.status)"
                )
            )
        }
    }
}

/// `--status open`: the batch statuses, with swift-argument-parser's own error and completion for the rest.
extension QuarantineBatchStatus: ExpressibleByArgument {}
