import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HealKit
import HealTesting
import Testing

/// What a person or a script sees of heal: one JSON style on every command, colour only where it helps, tables that
/// line up, plurals that read right, and the shell completions and man page a release ships.
@Suite("Command line: JSON, colour, tables, plurals, release files", .serialized, .timeLimit(.minutes(6)))
struct CommandSurfaceTests {
    /// Objects whose keys are data (a quarantined row's columns, a profile's values), not heal's names.
    static let dataMaps: Set<String> = ["row", "values", "open_reasons", "reasons", "by_reason", "variables", "set"]

    /// Every key snake_case (`a_b`, or `rule:column` where a key names a check), and no string that is itself a JSON
    /// object or array.
    static func problems(in value: Any, at path: String = "$", keysAreData: Bool = false) -> [String] {
        switch value {
        case let object as [String: Any]:
            return object.sorted { $0.key < $1.key }.flatMap { key, child -> [String] in
                let name = keysAreData || key.wholeMatch(of: /[a-z][a-z0-9_]*(:[a-z0-9_]+)?/) != nil ? [] : ["\(path): key '\(key)' is not snake_case"]
                return name + problems(in: child, at: "\(path).\(key)", keysAreData: dataMaps.contains(key))
            }
        case let array as [Any]:
            return array.enumerated().flatMap { problems(in: $1, at: "\(path)[\($0)]") }
        case let text as String:
            let trimmed = text.trimmingCharacters(in: .whitespaces)
            guard trimmed.hasPrefix("{") || trimmed.hasPrefix("["),
                  (try? JSONSerialization.jsonObject(with: Data(trimmed.utf8))) != nil else { return [] }
            return ["\(path): a JSON document inside a string: \(text.prefix(60))"]
        default:
            return []
        }
    }

    /// Runs heal, expects a JSON document (or JSON Lines) on stdout, and returns the problems the walker finds.
    /// With `lines`, JSON Lines in the quarantine export's layout: a row's own columns beside heal's `_`-prefixed ones.
    func jsonProblems(_ arguments: [String], home: TestHome, lines: Bool = false, status: Set<Int32> = [0]) async throws -> [String] {
        let result = try await HealProcess.run(arguments, home: home)
        #expect(status.contains(result.status), "\(arguments): exit \(result.status) \(result.stderr)")
        let documents = lines ? result.stdout.split(separator: "\n").map(String.init) : [result.stdout]
        #expect(!documents.isEmpty && !result.stdout.isEmpty, "\(arguments) printed nothing")
        return try documents.flatMap { document -> [String] in
            var parsed = try JSONSerialization.jsonObject(with: Data(document.utf8), options: [.fragmentsAllowed])
            if lines, let row = parsed as? [String: Any] {
                parsed = row.filter { $0.key.hasPrefix("_") }.reduce(into: [String: Any]()) { $0[String($1.key.dropFirst())] = $1.value }
                #expect(row.keys.contains("_source_line"), "\(row.keys)")
            }
            return Self.problems(in: parsed).map { "heal \(arguments.joined(separator: " ")): \($0)" }
        }
    }

    /// The walker itself: it finds what it is there to find.
    @Test func theWalkerFindsCamelCaseAndNestedJSON() throws {
        #expect(Self.problems(in: ["runId": 1]) == ["$: key 'runId' is not snake_case"])
        #expect(Self.problems(in: ["figures": "{\"rows\": 3}"]) == ["$.figures: a JSON document inside a string: {\"rows\": 3}"])
        #expect(Self.problems(in: ["row": ["Order ID": "O-1"], "reasons": ["not_null:amount": 2], "note": "[draft] ok"]).isEmpty)
        #expect(Self.problems(in: ["a": [["b_c": 1, "D": 2]]]) == ["$.a[0]: key 'D' is not snake_case"])
    }

    /// Every command that prints JSON, on a home with a partial, a healed and a failed day, a learned mapping, drift
    /// and quarantine: snake_case keys throughout, no JSON inside strings.
    @Test func everyJSONOutputIsSnakeCaseWithNoJSONInsideStrings() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        var problems: [String] = []
        problems += try await jsonProblems(["run", "sales-daily", "--date", "2026-11-18", "--json"], home: home)
        problems += try await jsonProblems(["run", "sales-daily", "--date", "2026-11-19", "--json"], home: home)
        problems += try await jsonProblems(["run", "sales-daily", "--date", "2026-11-21", "--json"], home: home, status: [1])
        problems += try await jsonProblems(["run", "sales-daily", "--date", "2026-11-22", "--json"], home: home)
        problems += try await jsonProblems(["backfill", "sales-daily", "--from", "2026-11-17", "--to", "2026-11-17", "--json"], home: home)
        problems += try await jsonProblems(["runs", "list", "--json"], home: home)
        for run in try MetadataStore(url: home.url("metadata.db")).runs(pipeline: nil, limit: 20) {
            problems += try await jsonProblems(["runs", "show", run.id, "--json"], home: home)
        }
        problems += try await jsonProblems(["check", "--json"], home: home)
        problems += try await jsonProblems(["check", "--connect", "--date", "2026-11-20", "--json"], home: home)
        problems += try await jsonProblems(["quarantine", "list", "--json"], home: home)
        let batches = try MetadataStore(url: home.url("metadata.db")).quarantineBatches(pipeline: nil, since: nil, status: nil)
        #expect(!batches.isEmpty)
        for batch in batches {
            problems += try await jsonProblems(["quarantine", "show", batch.id, "--json"], home: home, lines: true)
        }
        if let batch = batches.first {
            problems += try await jsonProblems(["quarantine", "discard", batch.id, "--reason", "checked by hand", "--json"], home: home)
        }
        problems += try await jsonProblems(["mappings", "list", "--json"], home: home)
        let mapping = try #require(try MetadataStore(url: home.url("metadata.db")).mappings().first?.id)
        problems += try await jsonProblems(["mappings", "show", String(mapping), "--json"], home: home)
        problems += try await jsonProblems(["report", "weekly", "--format", "json", "--week", "2026-W47"], home: home)
        problems += try await jsonProblems(["profile", "sales-daily", "--json"], home: home)
        problems += try await jsonProblems(["table", "describe", "sales-daily", "--json"], home: home)
        problems += try await jsonProblems(["schedule", "--json"], home: home)
        problems += try await jsonProblems(["infer", "examples/landing/sales_20261118.csv", "--json"], home: home)
        problems += try await jsonProblems(["daemon", "--once", "--json"], home: home, status: [0, 1])
        problems += try await jsonProblems(["mappings", "approve", String(mapping), "--json"], home: home)
        problems += try await jsonProblems(["mappings", "promote", String(mapping), "--json"], home: home)
        problems += try await jsonProblems(["table", "migrate", "sales-daily", "--json"], home: home)
        problems += try await jsonProblems(["mappings", "forget", String(mapping), "--json"], home: home)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    func json(_ result: HealProcess.Result) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout) \(result.stderr)")
    }

    /// `heal schedule --json`, `heal daemon --once --json`, `heal infer --json` and `heal mappings forget --json` say
    /// what their text says, for a script.
    @Test func theNewJSONOutputsCarryWhatTheTextSays() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let before = try await HealProcess.run(["schedule", "--count", "2", "--json"], home: home)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(before.stdout.utf8)) as? [[String: Any]])
        #expect(entries.count == 1)
        #expect(entries.first?["pipeline"] as? String == "sales-daily" && entries.first?["schedule"] as? String == "0 2 * * *")
        #expect(entries.first?["time_zone"] as? String == "UTC" && entries.first?["catchup"] as? String == "latest")
        #expect(entries.first?["last_run"] == nil || entries.first?["last_run"] is NSNull)
        let next = try #require(entries.first?["next"] as? [[String: String]])
        #expect(next.count == 2 && next.allSatisfy { $0["at"]?.hasSuffix("T02:00:00Z") == true && $0["date"]?.count == 10 }, "\(next)")

        #expect(try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-18"], home: home).status == 0)
        let after = try await HealProcess.run(["schedule", "--count", "1", "--json"], home: home)
        let entry = try #require((try JSONSerialization.jsonObject(with: Data(after.stdout.utf8)) as? [[String: Any]])?.first)
        let last = try #require(entry["last_run"] as? [String: String])
        #expect(last["date"] == "2026-11-18" && last["status"] == "succeeded" && last["started_at"] != nil)
        let pending = try #require(entry["pending"] as? [[String: String]])
        #expect(pending.count == 1, "\(pending)")

        // The night the daemon catches up is the one schedule named; its file is not there, so that run fails (exit 1).
        let once = try await HealProcess.run(["daemon", "--once", "--json"], home: home)
        #expect(once.status == 1, "\(once.stderr)")
        let pass = try json(once)
        let runs = try #require(pass["runs"] as? [[String: Any]])
        #expect(runs.count == 1)
        let fire = try #require(runs.first?["fire"] as? [String: Any])
        let run = try #require(runs.first?["run"] as? [String: Any])
        #expect(fire["pipeline"] as? String == "sales-daily" && fire["date"] as? String == pending.first?["date"] && fire["catch_up"] as? Bool == true)
        #expect(run["status"] as? String == "failed" && run["date"] as? String == pending.first?["date"] && run["run_id"] is String, "\(run)")
        #expect(pass["failed"] as? Int == 1, "\(pass)")
        #expect(!once.stdout.contains("heal run sales-daily ·"), "progress lines stay out of the JSON")
        // Nothing is due any more: an empty pass, exit 0.
        let again = try await HealProcess.run(["daemon", "--once", "--json"], home: home)
        let nothing = try json(again)["runs"] as? [Any]
        #expect(again.status == 0 && nothing?.isEmpty == true, "\(again.stdout)")
        let bare = try await HealProcess.run(["daemon", "--json"], home: home)
        #expect(bare.status == 2 && bare.stderr.contains("--once"), "\(bare.stderr)")

        let inferred = try json(try await HealProcess.run(["infer", "examples/landing/sales_20261118.csv", "--json"], home: home))
        #expect(inferred["rows"] as? Int == 500 && (inferred["file"] as? String)?.hasSuffix("/examples/landing/sales_20261118.csv") == true)
        #expect((inferred["format"] as? [String: Any])?["type"] as? String == "csv" && (inferred["format"] as? [String: Any])?["delimiter"] as? String == ",")
        let columns = try #require(inferred["columns"] as? [[String: Any]])
        #expect(columns.compactMap { $0["name"] as? String }.contains("sale_id"), "\(columns)")

        #expect(try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-22"], home: home).status == 0)
        let mapping = try #require(try MetadataStore(url: home.url("metadata.db")).mappings().first)
        let forgot = try json(try await HealProcess.run(["mappings", "forget", String(mapping.id ?? 0), "--json"], home: home))
        #expect(forgot["action"] as? String == "forgot")
        let record = try #require(forgot["mapping"] as? [String: Any])
        #expect(record["id"] as? Int64 == mapping.id && record["header"] as? String == mapping.header)
        #expect((record["mapping"] as? [String: Any]) != nil, "the mapping is a JSON object, not a string: \(record)")
        #expect(try MetadataStore(url: home.url("metadata.db")).mappings().isEmpty)
        let gone = try await HealProcess.run(["mappings", "forget", String(mapping.id ?? 0), "--json"], home: home)
        #expect(gone.status == 2 && gone.stdout.isEmpty && gone.stderr.contains("no mapping"))
    }

    /// Colour on a terminal; none with NO_COLOR set, none into a pipe.
    @Test func colourOnATerminalOnlyAndNeverWithNoColor() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        let heal = HealProcess.binary.path
        func onTerminal(_ command: String, _ environment: [String: String]) async throws -> HealProcess.Result {
            try await HealProcess.run(executable: URL(fileURLWithPath: "/usr/bin/script"), ["-q", "-e", "-c", "\(heal) \(command)", "/dev/null"],
                                      in: home, environment: ["HEAL_PROGRESS_AFTER_MS": "600000", "TERM": "xterm"].merging(environment) { $1 })
        }
        let coloured = try await onTerminal("run sales-daily --date 2026-11-18", ["NO_COLOR": ""])
        #expect(coloured.status == 0)
        #expect(coloured.stdout.contains("\u{1B}[32msucceeded\u{1B}[0m: read 500"), "\(coloured.stdout.debugDescription)")
        #expect(coloured.stdout.contains("  \u{1B}[32mok  \u{1B}[0m  fetch"), "\(coloured.stdout.debugDescription)")
        let failed = try await onTerminal("run sales-daily --date 2026-11-21", ["NO_COLOR": ""])
        #expect(failed.status == 1 && failed.stdout.contains("\u{1B}[31mfailed\u{1B}[0m: read 0") && failed.stdout.contains("\u{1B}[31mALERT \u{1B}[0m"),
                "\(failed.stdout.debugDescription)")
        let listed = try await onTerminal("runs list", ["NO_COLOR": ""])
        #expect(listed.stdout.contains("\u{1B}[31mfailed\u{1B}[0m") && listed.stdout.contains("\u{1B}[32msucceeded\u{1B}[0m"))
        let plain = try await onTerminal("run sales-daily --date 2026-11-19", ["NO_COLOR": "1"])
        #expect(plain.status == 0 && plain.stdout.contains("partial: read 500") && !plain.stdout.contains("\u{1B}["), "\(plain.stdout.debugDescription)")
        let dumb = try await onTerminal("runs list", ["NO_COLOR": "", "TERM": "dumb"])
        #expect(!dumb.stdout.contains("\u{1B}[") && dumb.stdout.contains("partial"))
        let piped = try await HealProcess.run(["runs", "list"], home: home, environment: ["NO_COLOR": ""])
        #expect(!piped.stdout.contains("\u{1B}") && !piped.stderr.contains("\u{1B}"))
        let json = try await onTerminal("runs list --json", ["NO_COLOR": ""])
        #expect(!json.stdout.contains("\u{1B}"), "JSON is never coloured")
    }

    /// Where each header title starts (left columns) or ends (right columns).
    static func checkAligned(_ output: String, titles: [String], right: Set<String>, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = output.split(separator: "\n").map(String.init)
        guard let header = lines.first else { Issue.record("no table", sourceLocation: sourceLocation); return }
        #expect(lines.count > 1, "a header and rows: \(output)", sourceLocation: sourceLocation)
        for title in titles {
            guard let range = header.range(of: title) else { Issue.record("no \(title) in \(header)", sourceLocation: sourceLocation); continue }
            let start = header.distance(from: header.startIndex, to: range.lowerBound)
            let end = start + title.count
            for line in lines.dropFirst() {
                let characters = Array(line)
                if right.contains(title) {
                    #expect(end <= characters.count && characters[end - 1] != " " && (end == characters.count || characters[end] == " "),
                            "\(title) ends at \(end) in\n\(header)\n\(line)", sourceLocation: sourceLocation)
                } else {
                    #expect(start < characters.count && characters[start] != " " && (start == 0 || characters[start - 1] == " "),
                            "\(title) starts at \(start) in\n\(header)\n\(line)", sourceLocation: sourceLocation)
                }
            }
        }
    }

    /// Lists line up however long a pipeline name, a status or a count is.
    @Test func tablesLineUp() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        // A long pipeline name and long counts beside the example's.
        try home.write("playbooks/a-pipeline-with-a-long-name.yml", try home.read("playbooks/sales-daily.yml"))
        for (pipeline, date) in [("sales-daily", "2026-11-18"), ("sales-daily", "2026-11-19"), ("sales-daily", "2026-11-21"), ("sales-daily", "2026-11-22"),
                                 ("a-pipeline-with-a-long-name", "2026-11-19")] {
            _ = try await HealProcess.run(["run", pipeline, "--date", date], home: home)
        }
        let runs = try await HealProcess.run(["runs", "list"], home: home)
        Self.checkAligned(runs.stdout, titles: ["PIPELINE", "DATE", "STATUS", "READ", "LOADED", "QUARANTINED", "DEDUPLICATED", "STARTED"],
                          right: ["READ", "LOADED", "QUARANTINED", "DEDUPLICATED"])
        #expect(runs.stdout.contains("a-pipeline-with-a-long-name  2026-11-19"), "\(runs.stdout)")
        let quarantine = try await HealProcess.run(["quarantine", "list"], home: home)
        Self.checkAligned(quarantine.stdout, titles: ["PIPELINE", "DATE", "STEP", "ROWS", "OPEN", "STATUS", "OPEN BY REASON"], right: ["ROWS", "OPEN"])
        let mappings = try await HealProcess.run(["mappings", "list"], home: home)
        Self.checkAligned(mappings.stdout, titles: ["PIPELINE", "SKILL", "PROPOSER", "STATUS", "USES", "LAST USED", "MAPPING"], right: ["USES"])
    }

    /// One of a thing is singular wherever heal counts: a run with one quarantined row says so.
    @Test func oneOfAThingIsSingular() async throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("playbooks/p.yml", """
            steps:
              - { name: fetch, skill: f }
              - { name: schema, skill: s, on_failure: { parse_error: [q] } }
              - { name: quality, skill: r, on_failure: { quality_violation: [q] } }
              - { name: load, skill: l }
            thresholds: { quarantine_warn_pct: 90 }
            """)
        try home.write("skills/f.yml", "kind: fetch\nsource: landing/one.csv\n")
        try home.write("skills/s.yml", "kind: validate_schema\ncolumns:\n  - { name: id, type: integer }\n  - { name: amount, type: decimal }\n")
        try home.write("skills/r.yml", "kind: validate_quality\nrules:\n  - range: { column: amount, min: 0 }\n")
        try home.write("skills/q.yml", "kind: quarantine_filter\nmax_pct: 50\n")
        try home.write("skills/l.yml", "kind: load\ntarget: sqlite:warehouse.db\ntable: t\n")
        try home.write("landing/one.csv", "id,amount\n1,5.00\n2,-3.00\n3,7.50\n")
        let run = try await HealProcess.run(["run", "p", "--date", "2026-11-01"], home: home)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(run.stdout.contains("(1 row)"), "\(run.stdout)")
        let shown = try await HealProcess.run(["runs", "show", "last"], home: home)
        let quarantine = try await HealProcess.run(["quarantine", "list"], home: home)
        let text = run.stdout + run.stderr + shown.stdout + quarantine.stdout
        let plural = try Regex(#"(^|[^0-9.,])1 (rows|values|batches|columns|days|times|files|lines|mappings|alerts|runs|rules|dates|proposals|violations)\b"#)
        #expect(!text.contains(plural), "\(text)")
    }

    /// `--metrics-host` serves on the address given, and only there; a name that is not an address exits 2.
    @Test func metricsServeOnTheHostGiven() async throws {
        let home = try TestHome.example()
        defer { home.remove() }
        try home.write("playbooks/sales-daily.yml", try home.read("playbooks/sales-daily.yml") + "\ncatchup: none\n")
        let bad = try await HealProcess.run(["daemon", "--metrics-host", "metrics.example", "--metrics-port", "9"], home: home)
        #expect(bad.status == 2 && bad.stderr.contains("--metrics-host 'metrics.example' is not an IPv4 address"), "\(bad.stderr)")
        let port = UInt16.random(in: 40_000...49_999)
        let daemon = try RunningHeal(["daemon", "--metrics-host", "127.0.0.2", "--metrics-port", String(port)], home: home)
        #expect(try await daemon.wait(for: "metrics: http://127.0.0.2:\(port)/metrics"), "\(daemon.output)")
        let served = try await HTTPGet.status("http://127.0.0.2:\(port)/metrics")
        #expect(served == 200)
        let elsewhere = try? await HTTPGet.status("http://127.0.0.1:\(port)/metrics")
        #expect(elsewhere == nil, "nothing listens on 127.0.0.1:\(port)")
        #expect(try await daemon.stop() == 0, "\(daemon.output)")
    }

    /// The completion scripts name every command and option, in each shell's syntax.
    @Test func shellCompletionsNameTheCommands() async throws {
        let home = try TestHome()
        defer { home.remove() }
        let bash = try await HealProcess.run(["--generate-completion-script", "bash"], home: home)
        #expect(bash.status == 0 && bash.stdout.contains("quarantine") && bash.stdout.contains("--metrics-host") && bash.stdout.contains("backfill"))
        try home.write("heal.bash", bash.stdout)
        let syntax = try await HealProcess.run(executable: URL(fileURLWithPath: "/bin/bash"), ["-n", "heal.bash"], in: home)
        #expect(syntax.status == 0, "\(syntax.stderr)")
        // bash calls the function with the command, the word being completed and the word before it.
        let completed = try await HealProcess.run(executable: URL(fileURLWithPath: "/bin/bash"), ["-c", """
            source heal.bash
            COMP_WORDS=(heal qua); COMP_CWORD=1; _heal heal qua heal; echo "${COMPREPLY[*]}"
            COMPREPLY=(); COMP_WORDS=(heal daemon --metrics-h); COMP_CWORD=2; _heal heal --metrics-h daemon; echo "${COMPREPLY[*]}"
            """], in: home)
        #expect(completed.stdout == "quarantine\n--metrics-host\n", "\(completed.stdout)\(completed.stderr)")
        let zsh = try await HealProcess.run(["--generate-completion-script", "zsh"], home: home)
        #expect(zsh.status == 0 && zsh.stdout.hasPrefix("#compdef heal") && zsh.stdout.contains("mappings"))
        let fish = try await HealProcess.run(["--generate-completion-script", "fish"], home: home)
        #expect(fish.status == 0 && fish.stdout.contains("complete -c 'heal'") && fish.stdout.contains("daemon"))
    }

    /// `scripts/release` lays out the binary, its man page and the three completion scripts; `.ci/run` makes one from
    /// the debug build before the tests and names it in HEAL_TEST_RELEASE (SwiftPM cannot build while tests run).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["HEAL_TEST_RELEASE"] != nil, "scripts/release --debug DIR, then HEAL_TEST_RELEASE=DIR"))
    func theReleaseHoldsTheBinaryItsManPageAndCompletions() async throws {
        let release = URL(fileURLWithPath: try #require(ProcessInfo.processInfo.environment["HEAL_TEST_RELEASE"]))
        let home = try TestHome()
        defer { home.remove() }
        let version = try await HealProcess.run(executable: release.appendingPathComponent("bin/heal"), ["--version"], in: home)
        #expect(version.status == 0 && version.stdout == "\(HealVersion.string)\n", "\(version.stdout)")
        let page = try String(contentsOf: release.appendingPathComponent("share/man/man1/heal.1"), encoding: .utf8)
        #expect(page.contains(".Dt HEAL 1") && page.contains(".Nm heal") && page.contains(".Sh \"EXIT STATUS\""))
        for command in ["run", "backfill", "runs", "quarantine", "report", "daemon", "schedule", "mappings", "profile", "table", "check", "infer", "init"] {
            #expect(page.contains(".It Em \(command)\n"), "the man page has \(command)")
        }
        #expect(page.contains(".It Fl -metrics-host Ar metrics-host"), "options are in the page")
        let bash = release.appendingPathComponent("share/bash-completion/completions/heal")
        let syntax = try await HealProcess.run(executable: URL(fileURLWithPath: "/bin/bash"), ["-n", bash.path], in: home)
        let script = try String(contentsOf: bash, encoding: .utf8)
        #expect(syntax.status == 0 && script.contains("_heal()"))
        #expect(try String(contentsOf: release.appendingPathComponent("share/zsh/site-functions/_heal"), encoding: .utf8).hasPrefix("#compdef heal"))
        #expect(try String(contentsOf: release.appendingPathComponent("share/fish/vendor_completions.d/heal.fish"), encoding: .utf8).contains("complete -c 'heal'"))
    }
}

/// One GET with a short deadline: its status, or an error when nothing answers.
enum HTTPGet {
    static func status(_ url: String) async throws -> Int {
        let request = URLRequest(url: URL(string: url)!, timeoutInterval: 5)
        let (_, response) = try await URLSession.shared.data(for: request)
        return (response as? HTTPURLResponse)?.statusCode ?? 0
    }
}
