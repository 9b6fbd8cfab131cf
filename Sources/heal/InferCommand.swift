import ArgumentParser
import Foundation
import HealKit

struct InferCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Profile a file (CSV, JSON Lines, JSON; plain or gzip) and print a draft contract skill.",
        discussion:
            "Columns, inferred types and formats, null rate, distinct counts and candidate keys, as YAML with comments: heal infer day.csv > skills/day-contract.yml"
    )

    @Argument(help: "The file to profile.") var file: String
    @Option(help: "The delimiter, when sniffing guesses wrong (',', ';', '|' or 'tab').") var delimiter: String?
    @Option(help: "The encoding, when detection guesses wrong (utf-8, utf-16, latin-1, windows-1252).") var encoding: String?
    @Flag(help: "Print the profile as JSON instead of the draft contract.") var json = false

    func run() async throws {
        let url = URL(fileURLWithPath: file)
        guard FileManager.default.fileExists(atPath: url.path) else {
            Console.error("heal infer: \(file): no such file")
            throw ExitCode(2)
        }
        var options = TableFormat.Options()
        if let delimiter {
            guard delimiter == "tab" || delimiter.utf8.count == 1 else {
                Console.error("heal infer: --delimiter is one character or 'tab'")
                throw ExitCode(2)
            }
            options.delimiter = delimiter == "tab" ? 9 : delimiter.utf8.first
        }
        if let encoding {
            guard let parsed = TextEncoding(name: encoding) else {
                Console.error("heal infer: unknown encoding '\(encoding)'")
                throw ExitCode(2)
            }
            options.encoding = parsed
        }
        do {
            let profile = try TableProfile.profile(url, options: options)
            if json { return try Console.json(profile) }
            print(profile.draftContract(generated: CalendarDate.of(Date(), in: .current).description), terminator: "")
        } catch let error as TableError {
            Console.error("heal infer: \(error.description)")
            throw ExitCode(2)
        }
    }
}
