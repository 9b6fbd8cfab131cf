import Foundation

/// The built-in kinds a skill config can instantiate.
public enum SkillKind: String, Sendable, CaseIterable {
    case fetch
    case validateSchema = "validate_schema"
    case validateQuality = "validate_quality"
    case transform
    case load
    case healthCheck = "health_check"
    case quarantineFilter = "quarantine_filter"
    case fallbackSource = "fallback_source"
    case schemaRepair = "schema_repair"
    case upsert
    case command

    /// Kinds that repair a failed step's input (level 2 of the ladder).
    public var isRemediation: Bool { [.quarantineFilter, .fallbackSource, .schemaRepair, .upsert].contains(self) }
}

/// `skills/NAME.yml`: one configured instance of a skill kind.
public struct SkillConfig: Sendable {
    public var name: String
    public var file: String
    public var kind: SkillKind
    public var spec: SkillSpec
}

extension SkillConfig {
    /// Steps whose staged files this skill names with `{artifact.STEP}`.
    public var artifactSteps: [String] {
        switch spec {
        case .transform(let t): return t.lookup?.file.artifactSteps ?? []
        case .command(let c): return c.run.flatMap(\.artifactSteps)
        case .healthCheck, .fetch, .fallbackSource, .validateSchema, .validateQuality, .load, .quarantineFilter, .schemaRepair, .upsert:
            return []
        }
    }
}

public enum SkillSpec: Sendable {
    case fetch(FetchSpec)
    case validateSchema(ContractSpec)
    case validateQuality(QualitySpec)
    case transform(TransformSpec)
    case load(LoadSpec)
    case healthCheck(HealthCheckSpec)
    case quarantineFilter(QuarantineSpec)
    case fallbackSource(FetchSpec)
    case schemaRepair(SchemaRepairSpec)
    /// Loads the failed load's rows again as a merge on its key.
    case upsert
    case command(CommandSpec)
}

public struct SchemaRepairSpec: Sendable {
    public enum ProposerName: String, Sendable, CaseIterable { case learned, heuristic, claude }
    public var proposers: [ProposerName] = [.learned, .heuristic, .claude]
    /// A repair may leave at most this share of rows failing (they then go to quarantine); beyond, it is rejected.
    public var maxQuarantinePct: Double = 5
    public var model: String?
    public var maxCalls = 2
    public var maxTokens = 20_000
    public var deadlineSeconds = 60
    /// Whether a person approves a mapping before it loads data.
    public var approval = Approval.auto

    public enum Approval: String, Sendable, CaseIterable {
        /// Every mapping the gate passes is used at once.
        case auto
        /// A mapping no person has approved stops the run and waits for `heal mappings approve ID`.
        case firstUse = "first_use"
        /// Every use of a mapping, learned or new, waits for a person's approval of that date.
        case always
    }
}

public struct FetchSpec: Sendable {
    public var source: Template
    public var minBytes: Int = 1
    /// A landing path that is a symbolic link is refused unless this is set (a link can point at any file).
    public var followSymlinks = false
    /// Whether `{var.…}` and `{watermark}` may put separators or `..` into the source's path.
    public var allowPathValues = false
    public var sha256: Template?
    public var timeoutSeconds: Int = 60
    /// Transient failures in a row that open an HTTP endpoint's circuit, and for how long.
    public var circuitFailures: Int = 5
    public var circuitCooldownSeconds: Int = 300
    /// S3-compatible stores: a custom endpoint (path-style), the region, a credentials profile, and a pattern
    /// that picks the day's object among the keys under an `s3://bucket/prefix/` source.
    public var endpoint: Template?
    public var region: String?
    public var profile: String?
    public var pattern: Template?
    /// A JSON API: pages of records written to staging as JSON Lines.
    public var api: APISpec?
    /// How long to wait for a late file (absent, or under min_bytes) before it is `source_missing`.
    public var wait: FetchWait?
}

/// `wait: { timeout: 2h, poll: 5m }`: a producer that is late most nights is waited for, not paged about.
public struct FetchWait: Sendable, Equatable {
    public var timeoutSeconds: Int
    public var pollSeconds: Int
}

/// A paginated JSON endpoint: query and headers (templated), where the records are, how to page, how fast.
public struct APISpec: Sendable {
    public enum Pagination: Sendable, Equatable {
        case none
        /// The next page's URL at a path in the body (or in a `Link: <…>; rel="next"` header).
        case nextLink([String]?)
        /// A cursor at a path in the body, sent back as a query parameter.
        case cursor(path: [String], param: String)
        case page(param: String, start: Int)
        case offset(param: String, limitParam: String, size: Int)
    }

    public var query: [(name: String, value: Template)] = []
    public var headers: [(name: String, value: Template)] = []
    /// Where the array of records is in each page (empty: the page is the array).
    public var records: [String] = []
    public var pagination = Pagination.none
    public var maxPages = 1000
    /// Requests per second at most.
    public var rateLimit: Double?
    /// An incremental source: the highest value of this record field is kept as the watermark.
    public var watermarkField: [String]?
}

/// The data contract: the columns a file must have and how their values parse.
public struct ContractSpec: Sendable {
    public var columns: [ColumnSpec]
    public var allowExtraColumns: Bool = true
    /// Fewer data rows than this (`min_rows`, default 1) refuse the file: a header with no rows is a failed
    /// export far more often than a quiet day. 0 where an empty day is normal.
    public var minRows = 1
    /// What the contract states about the file's shape; the rest is detected.
    public var format = TableFormat.Options()

    public init(columns: [ColumnSpec], allowExtraColumns: Bool = true) {
        self.columns = columns
        self.allowExtraColumns = allowExtraColumns
    }

    /// The format an artifact reads with: the one already found for it, else detected under the contract's options.
    public func format(of artifact: Artifact) throws -> TableFormat {
        if let format = artifact.format { return format }
        return try TableFormat.detect(artifact.url, options: format)
    }

    /// The header with each missing contract column's alias renamed to the column's name, and what was renamed
    /// ("client_id as customer_id"). An alias is used only when it is the column's one alias in the header.
    public func readingAliases(_ header: [String]) -> (header: [String], aliased: [String]) {
        var out = header
        var aliased: [String] = []
        for column in columns where !header.contains(column.name) {
            let contractNames = Set(columns.map(\.name))
            let found = header.indices.filter { i in column.aliases.contains(header[i]) && !contractNames.contains(header[i]) }
            guard found.count == 1, !out.contains(column.name) else { continue }
            out[found[0]] = column.name
            aliased.append("\(header[found[0]]) as \(column.name)")
        }
        return (out, aliased)
    }

    /// Identifies the contract's shape, so a learned mapping is reused only for the contract it was learned on.
    public var version: String {
        let text = columns.map { "\($0.name):\($0.type.rawValue):\($0.required):\($0.formats.map(\.pattern).joined(separator: "|"))" }
            .joined(separator: ";")
        return FileDigest.sha256(of: Data(text.utf8)).prefix(16).description
    }
}

public struct QualitySpec: Sendable {
    public var rules: [QualityRule]
    /// The watch on each column's history (on unless `drift: off`).
    public var drift = DriftPolicy()
}

public enum QualityRule: Sendable, Equatable {
    case notNull([String])
    case unique([String])
    case range(column: String, min: Decimal?, max: Decimal?)
    case allowed(column: String, values: [String])
    case pattern(column: String, regex: String)
    case rowCount(withinPct: Double, history: Int)

    public var name: String {
        switch self {
        case .notNull: return "not_null"
        case .unique: return "unique"
        case .range: return "range"
        case .allowed: return "allowed"
        case .pattern: return "pattern"
        case .rowCount: return "row_count"
        }
    }

    public var columns: [String] {
        switch self {
        case .notNull(let c), .unique(let c): return c
        case .range(let c, _, _), .allowed(let c, _), .pattern(let c, _): return [c]
        case .rowCount: return []
        }
    }
}

public struct TransformSpec: Sendable {
    public var snakeCaseNames = false
    public var trim = false
    public var nullTokens: [String] = []
    public var isoDates = false
    public var dedupeKey: [String] = []
    public var lookup: LookupSpec?
    public var computed: [ComputedColumn] = []
}

public struct LookupSpec: Sendable {
    public var file: Template
    public var key: String
    public var columns: [String]
}

public struct ComputedColumn: Sendable {
    public var name: String
    public var expression: ColumnExpression
    public var type: ColumnType
    /// Where the expression's first character is, so a type error names file:line:column of the culprit.
    public var file = ""
    public var line = 1
    public var column = 1
}

/// `append` inserts; `replace` swaps the date's partition; `merge` upserts on the key.
public enum WriteMode: String, Sendable, CaseIterable {
    case append, replace, merge
}

/// A date already loaded from a different input: refuse (and alert), replace the date, or merge on the key.
public enum ChangedInputPolicy: String, Sendable, CaseIterable {
    case refuse, replace, merge
}

public struct LoadSpec: Sendable {
    public var target: Template
    public var table: String
    public var mode: WriteMode = .append
    public var key: [String] = []
    public var onChangedInput: ChangedInputPolicy = .refuse
    /// `new_columns`, `missing_columns`, `type_changes`.
    public var schema = SchemaPolicy()
}

public struct HealthCheckSpec: Sendable {
    public var target: Template?
    public var table: String?
    public var checks: [SQLCheck] = []
}

public struct SQLCheck: Sendable {
    public var name: String
    public var sql: String
    public var expect: String
}

public struct QuarantineSpec: Sendable {
    /// Refuse to quarantine more than this share of rows: past it the file is bad, not a few rows.
    public var maxPct: Double = 10
}

public struct CommandSpec: Sendable {
    public var run: [Template]
    public var timeoutSeconds: Int = 300
}
