import Foundation

/// `heal init --from FILE`: a whole pipeline drafted from one data file: the contract `heal infer` writes,
/// quality rules the file itself justifies, a transform, a SQLite load, and a playbook that wires them with
/// the usual ladder (repair a drifted header, quarantine bad rows).
public struct PipelineDraft: Sendable {
    public var name: String
    public var profile: TableProfile
    /// The fetch source: the file's path with its date (if its name holds one) as `{date:…}`.
    public var source: String
    /// The date the file's name holds: the `--date` that loads this very file.
    public var date: CalendarDate?
    /// The key drafted rules and the load use (after snake_case), when the file has one.
    public var key: String?

    /// Fewer rows than this justify no allowed-value set.
    static let minimumRowsPerValue = 10

    public init(file: URL, name: String?, home: HealHome, profile: TableProfile) {
        self.profile = profile
        let fileName = file.lastPathComponent
        let found = PipelineDraft.dateInName(fileName)
        date = found?.date
        var templated = fileName
        if let found { templated.replaceSubrange(found.range, with: "{date:\(found.pattern)}") }
        // Relative to the home when the file is inside it (the home can move), absolute otherwise.
        let folder = file.deletingLastPathComponent().standardizedFileURL
        source = folder.path == home.root.path ? templated : home.display(folder) + "/" + templated
        self.name = name ?? PipelineDraft.name(fromFile: fileName, without: found?.range)
        let keys = profile.candidateKeys
        key = (keys.first { $0.lowercased().contains("id") } ?? keys.first).map(SnakeCase.convert)
    }

    /// A pipeline name from a file name: its stem without the date, lower-case, words joined by `-`.
    static func name(fromFile fileName: String, without dateRange: Range<String.Index>?) -> String {
        var stem = fileName
        if let dateRange { stem.removeSubrange(dateRange) }
        while let dot = stem.lastIndex(of: "."),
            ["csv", "gz", "jsonl", "json", "ndjson", "tsv", "txt"].contains(stem[stem.index(after: dot)...].lowercased())
        {
            stem = String(stem[..<dot])
        }
        let words = stem.lowercased().split { !($0.isASCII && ($0.isLetter || $0.isNumber)) }
        return words.isEmpty ? "daily" : words.joined(separator: "-")
    }

    /// The first `yyyyMMdd` or `yyyy-MM-dd` in a file name that is a real date.
    static func dateInName(_ fileName: String) -> (range: Range<String.Index>, pattern: String, date: CalendarDate)? {
        for (regex, pattern) in [("(19|20)[0-9]{2}-[0-9]{2}-[0-9]{2}", "yyyy-MM-dd"), ("(19|20)[0-9]{6}", "yyyyMMdd")] {
            var from = fileName.startIndex
            while let range = fileName.range(of: regex, options: .regularExpression, range: from..<fileName.endIndex) {
                if let format = DateFormat(pattern), let date = CalendarDate.parse(String(fileName[range]), format: format) {
                    return (range, pattern, date)
                }
                from = fileName.index(after: range.lowerBound)
            }
        }
        return nil
    }

    /// The skill names, prefixed with the pipeline's so a second pipeline in the same home never collides.
    func skill(_ role: String) -> String { "\(name)-\(role)" }

    public func scaffold(generated: String) -> HomeScaffold {
        HomeScaffold(files: [
            .init(path: "playbooks/\(name).yml", text: playbook),
            .init(path: "skills/\(skill("fetch")).yml", text: fetch),
            .init(path: "skills/\(skill("contract")).yml", text: profile.draftContract(generated: generated)),
            .init(path: "skills/\(skill("quality")).yml", text: quality),
            .init(path: "skills/\(skill("transform")).yml", text: transform),
            .init(path: "skills/\(skill("load")).yml", text: load),
            .init(path: "skills/\(skill("quarantine")).yml", text: quarantine),
            .init(path: "skills/\(skill("repair")).yml", text: repair),
        ])
    }

    var playbook: String {
        """
        # Drafted by heal init from \(URL(fileURLWithPath: profile.file).lastPathComponent): review each skill file, then run it.
        description: \(YAMLText.quote("\(name): \(URL(fileURLWithPath: profile.file).lastPathComponent) into warehouse.db"))
        timezone: UTC
        schedule: "0 2 * * *"

        retry:
          attempts: 3
          backoff_ms: 1000
          retryable: [transient, target_unavailable]

        thresholds:
          quarantine_warn_pct: 1

        alerts:
          file: alerts/alerts.jsonl

        steps:
          - name: fetch
            skill: \(skill("fetch"))
          - name: schema
            skill: \(skill("contract"))
            on_failure:
              schema_mismatch: [\(skill("repair"))]
              parse_error: [\(skill("quarantine"))]
          - name: quality
            skill: \(skill("quality"))
            on_failure:
              quality_violation: [\(skill("quarantine"))]
          - name: transform
            skill: \(skill("transform"))
          - name: load
            skill: \(skill("load"))

        """
    }

    var fetch: String {
        var out = "# The day's file. {date:…} is the run's logical date (heal run \(name) --date YYYY-MM-DD).\n"
        if date == nil { out += "# The file's name holds no date: put {date:yyyyMMdd} where each day's name differs.\n" }
        out += "kind: fetch\nsource: \(YAMLText.quote(source))\nmin_bytes: 1\n"
        return out
    }

    /// Rules the sample file itself justifies; each says why in a comment.
    var quality: String {
        var out =
            "# Content rules drafted from one file (\(Noun.count(profile.rows, "row"))); tighten them as you learn the data.\nkind: validate_quality\nrules:\n"
        let complete = profile.columns.filter { $0.nulls == 0 && profile.rows > 0 }.map(\.name)
        if !complete.isEmpty {
            out += "  # No empty value in the sample file.\n  - not_null: [\(complete.map(YAMLText.quote).joined(separator: ", "))]\n"
        }
        if let keyColumn = profile.columns.first(where: { SnakeCase.convert($0.name) == key }) {
            out += "  # Unique and never empty in the sample file: the key.\n  - unique: [\(YAMLText.quote(keyColumn.name))]\n"
        }
        for column in profile.columns where column.type == .integer || column.type == .decimal {
            guard let low = column.minimum, let high = column.maximum, low >= 0, SnakeCase.convert(column.name) != key else { continue }
            out += "  # Never negative in the sample file (seen \(low) to \(high)).\n"
            out += "  - range: { column: \(YAMLText.quote(column.name)), min: 0 }\n"
        }
        for column in profile.columns where column.type == .string {
            guard let values = column.values, !values.isEmpty,
                profile.rows - column.nulls >= values.count * PipelineDraft.minimumRowsPerValue
            else { continue }
            out += "  # \(values.count) distinct values over \(Noun.count(profile.rows - column.nulls, "row")): a closed set.\n"
            out +=
                "  - allowed: { column: \(YAMLText.quote(column.name)), values: [\(values.map(YAMLText.quote).joined(separator: ", "))] }\n"
        }
        out += "  # The day's row count stays within half of the median of the last 7 days (from the second day on).\n"
        out += "  - row_count: { within_pct: 50, history: 7 }\n"
        return out
    }

    var transform: String {
        var out =
            "# Clean before the load; names below are the names after snake_case.\nkind: transform\nsnake_case_names: true\ntrim: true\n"
        out += "null_tokens: [\"\", \"NULL\", \"N/A\"]\n"
        if profile.columns.contains(where: { $0.type == .date }) { out += "iso_dates: true\n" }
        if let key { out += "dedupe: { key: [\(YAMLText.quote(key))] }\n" }
        return out
    }

    var load: String {
        var out = "# The warehouse table: one transaction per day, with its ledger row.\nkind: load\ntarget: sqlite:warehouse.db\n"
        out += "table: \(YAMLText.quote(SnakeCase.convert(name)))\nmode: append\n"
        if let key { out += "key: [\(YAMLText.quote(key))]\n" }
        return out
    }

    var quarantine: String {
        "# Moves failing rows to quarantine/ and lets the rest continue, up to a tenth of the day.\nkind: quarantine_filter\nmax_pct: 10\n"
    }

    var repair: String {
        """
        # Maps a drifted header (renamed, reordered, reformatted columns) back to the contract; every proposal is
        # applied to the whole file and must pass the same checks. Claude is asked only when ANTHROPIC_API_KEY is set.
        kind: schema_repair
        proposers: [learned, heuristic, claude]

        """
    }
}
