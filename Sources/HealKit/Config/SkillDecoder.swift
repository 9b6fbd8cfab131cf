import Foundation

/// Reads `skills/NAME.yml` strictly: `kind:` picks the settings that are allowed.
enum SkillDecoder {
    static func decode(_ root: YAMLValue, name: String) throws -> SkillConfig {
        guard case .mapping = root.node else { throw root.error("expected a mapping of settings, found \(root.typeName)") }
        let loose = try root.map(allowed: [])
        let kindValue = try loose.required("kind", "one of \(SkillKind.allCases.map(\.rawValue).joined(separator: ", "))")
        let kindText = try kindValue.string("a skill kind")
        guard let kind = SkillKind(rawValue: kindText) else {
            let names = SkillKind.allCases.map(\.rawValue)
            throw kindValue.error(
                "unknown skill kind '\(kindText)'; expected one of \(names.joined(separator: ", "))\(NearMiss.hint(for: kindText, among: names))"
            )
        }
        let spec: SkillSpec
        switch kind {
        case .fetch: spec = .fetch(try fetch(root))
        case .fallbackSource: spec = .fallbackSource(try fetch(root))
        case .validateSchema: spec = .validateSchema(try contract(root))
        case .validateQuality: spec = .validateQuality(try quality(root))
        case .transform: spec = .transform(try transform(root))
        case .load: spec = .load(try load(root))
        case .healthCheck: spec = .healthCheck(try health(root))
        case .quarantineFilter: spec = .quarantineFilter(try quarantine(root))
        case .command: spec = .command(try command(root))
        case .schemaRepair: spec = .schemaRepair(try schemaRepair(root))
        case .upsert:
            _ = try root.map(allowed: ["kind"])
            spec = .upsert
        }
        return SkillConfig(name: name, file: root.file, kind: kind, spec: spec)
    }

    static func fetch(_ root: YAMLValue) throws -> FetchSpec {
        let map = try root.map(allowed: [
            "kind", "source", "min_bytes", "sha256", "timeout_seconds", "circuit_breaker", "endpoint", "region", "profile", "pattern",
            "api",
            "follow_symlinks", "allow_path_values", "wait",
        ])
        let sourceValue = try map.required("source", "a path, file://, http(s):// or s3:// URL")
        var spec = FetchSpec(source: try sourceValue.template("a path or URL"))
        if let v = map["endpoint"] { spec.endpoint = try v.template("an http(s):// URL") }
        if let v = map["region"] { spec.region = try v.string("an AWS region such as us-east-1") }
        if let v = map["profile"] { spec.profile = try v.string("a profile name in the AWS credentials file") }
        if let v = map["pattern"] { spec.pattern = try v.template("a regular expression for the object's key") }
        if let v = map["api"] {
            guard spec.source.source.hasPrefix("http") else { throw v.error("api applies to http(s):// sources only") }
            spec.api = try api(v)
        }
        let isS3 = spec.source.source.hasPrefix("s3://")
        for key in ["endpoint", "region", "profile", "pattern"] where !isS3 {
            if let v = map[key] { throw v.error("\(key) applies to s3:// sources only") }
        }
        if isS3 && spec.pattern == nil && spec.source.source.hasSuffix("/") {
            throw sourceValue.error("an s3:// source ending in / is a prefix: add pattern: to pick the day's object")
        }
        if let v = map["min_bytes"] { spec.minBytes = try v.int("a size in bytes", range: 0...Int.max) }
        if let v = map["follow_symlinks"] { spec.followSymlinks = try v.bool() }
        if let v = map["allow_path_values"] { spec.allowPathValues = try v.bool() }
        if let v = map["sha256"] { spec.sha256 = try v.template("a SHA-256 hex digest") }
        if let v = map["timeout_seconds"] { spec.timeoutSeconds = try v.int("seconds", range: 1...86_400) }
        if let v = map["wait"] {
            let w = try v.map(allowed: ["timeout", "poll"])
            let timeout = try w.required("timeout", "how long to wait for the file, e.g. 2h").seconds(range: 1...86_400)
            let poll = try w["poll"]?.seconds(range: 1...3_600) ?? min(60, timeout)
            guard poll <= timeout else { throw w["poll"]!.error("poll \(poll) s is longer than timeout \(timeout) s") }
            spec.wait = FetchWait(timeoutSeconds: timeout, pollSeconds: poll)
        }
        if let v = map["circuit_breaker"] {
            let c = try v.map(allowed: ["failures", "cooldown_seconds"])
            if let f = c["failures"] { spec.circuitFailures = try f.int("a number of failures", range: 1...1000) }
            if let s = c["cooldown_seconds"] { spec.circuitCooldownSeconds = try s.int("seconds", range: 0...604_800) }
        }
        return spec
    }

    static func api(_ value: YAMLValue) throws -> APISpec {
        let a = try value.map(allowed: ["query", "headers", "records", "pagination", "max_pages", "rate_limit", "watermark"])
        var spec = APISpec()
        func path(_ v: YAMLValue, _ what: String) throws -> [String] {
            try v.string(what).split(separator: ".").map(String.init)
        }
        if let v = a["query"] {
            spec.query = try v.map(allowed: []).entries.map { (try $0.key.string(), try $0.value.template("a query value")) }
        }
        if let v = a["headers"] {
            spec.headers = try v.map(allowed: []).entries.map { (try $0.key.string(), try $0.value.template("a header value")) }
        }
        if let v = a["records"] { spec.records = try path(v, "a dotted path to the records, e.g. data.items") }
        if let v = a["pagination"] {
            let p = try v.map(allowed: ["next", "cursor", "param", "page", "start", "offset", "limit", "size"])
            if let next = p["next"] {
                let text = try next.string("a dotted path to the next page's URL, or 'link' for the Link header")
                spec.pagination = .nextLink(text == "link" ? nil : text.split(separator: ".").map(String.init))
            } else if let cursor = p["cursor"] {
                spec.pagination = .cursor(
                    path: try path(cursor, "a dotted path to the next cursor"),
                    param: try p.required("param", "the query parameter the cursor goes in").string()
                )
            } else if let page = p["page"] {
                spec.pagination = .page(
                    param: try page.string("the page parameter"),
                    start: try p["start"]?.int("the first page number") ?? 1
                )
            } else if let offset = p["offset"] {
                spec.pagination = .offset(
                    param: try offset.string("the offset parameter"),
                    limitParam: try p["limit"]?.string("the limit parameter") ?? "limit",
                    size: try p["size"]?.int("records per page", range: 1...100_000) ?? 100
                )
            } else {
                throw v.error("expected one of next, cursor (with param), page, offset")
            }
        }
        if let v = a["max_pages"] { spec.maxPages = try v.int("a number of pages", range: 1...1_000_000) }
        if let v = a["rate_limit"] { spec.rateLimit = try v.double("requests per second") }
        if let v = a["watermark"] {
            let w = try v.map(allowed: ["field"])
            spec.watermarkField = try path(try w.required("field", "the record field whose highest value is kept"), "a dotted path")
        }
        return spec
    }

    static func contract(_ root: YAMLValue) throws -> ContractSpec {
        let map = try root.map(allowed: ["kind", "columns", "allow_extra_columns", "max_field_bytes", "format", "min_rows"])
        let columnsValue = try map.required("columns", "the contract's columns")
        var columns: [ColumnSpec] = []
        for item in try columnsValue.list() {
            let c = try item.map(allowed: [
                "name", "type", "required", "nullable", "formats", "aliases", "day_first",
                "decimal_separator", "thousands_separator", "currency", "true_values", "false_values", "scale",
            ])
            var column = ColumnSpec(name: try c.required("name", "the column name").string("a column name"))
            if let v = c["type"] {
                let text = try v.string("a type")
                guard let type = ColumnType(rawValue: text) else {
                    let names = ColumnType.allCases.map(\.rawValue)
                    throw v.error(
                        "unknown type '\(text)'; expected one of \(names.joined(separator: ", "))\(NearMiss.hint(for: text, among: names))"
                    )
                }
                column.type = type
            }
            if let v = c["scale"] {
                guard column.type == .decimal else { throw v.error("'scale' applies to decimal columns only") }
                column.scale = try v.int("a number of digits after the point", range: 0...30)
            }
            if let v = c["required"] { column.required = try v.bool() }
            if let v = c["nullable"] { column.nullable = try v.bool() }
            if let v = c["aliases"] { column.aliases = try v.strings("a column name") }
            if column.type == .timestamp { column.formats = [] }
            if let v = c["formats"] {
                guard column.type == .date || column.type == .timestamp else {
                    throw v.error("'formats' applies to date and timestamp columns only")
                }
                column.formats = []
                for item in try v.list() {
                    let text = try item.string("a date format")
                    if text == "auto" {
                        column.autoDates = true
                        continue
                    }
                    guard let format = DateFormat(text) else {
                        throw item.error(
                            "'\(text)' is not a date format; expected yyyy, MM, dd (or M, d, yy), HH, mm, ss, SSS, XXX, 'quoted' literals and separators, e.g. MM/dd/yyyy, or auto"
                        )
                    }
                    column.formats.append(format)
                }
            }
            if let v = c["day_first"] {
                guard column.type == .date || column.type == .timestamp else {
                    throw v.error("'day_first' applies to date and timestamp columns only")
                }
                column.dayFirst = try v.bool()
            }
            func separator(_ key: String) throws -> UInt8? {
                guard let v = c[key] else { return nil }
                guard column.type == .decimal || column.type == .integer else {
                    throw v.error("'\(key)' applies to integer and decimal columns only")
                }
                let text = try v.string("one character")
                guard text.utf8.count == 1, let byte = text.utf8.first, !(48...57).contains(byte) else {
                    throw v.error("'\(key)' is one character such as ',', '.', ' ' or \"'\"; got '\(text)'")
                }
                return byte
            }
            if let decimal = try separator("decimal_separator") {
                column.number = column.number ?? NumberFormat()
                column.number!.decimalSeparator = decimal
            }
            if let thousands = try separator("thousands_separator") {
                column.number = column.number ?? NumberFormat()
                column.number!.thousandsSeparator = thousands
            }
            if let v = c["currency"] {
                guard column.type == .decimal || column.type == .integer else {
                    throw v.error("'currency' applies to integer and decimal columns only")
                }
                column.number = column.number ?? NumberFormat()
                column.number!.currency = try v.strings("a currency symbol")
            }
            if let number = column.number, number.thousandsSeparator == number.decimalSeparator {
                throw item.error(
                    "column '\(column.name)': the thousands and decimal separators are both '\(Character(UnicodeScalar(number.decimalSeparator)))'"
                )
            }
            for key in ["true_values", "false_values"] {
                guard let v = c[key] else { continue }
                guard column.type == .boolean else { throw v.error("'\(key)' applies to boolean columns only") }
                let tokens = try v.strings("a token")
                if key == "true_values" { column.trueTokens = tokens } else { column.falseTokens = tokens }
            }
            if columns.contains(where: { $0.name == column.name }) { throw item.error("column '\(column.name)' is declared twice") }
            columns.append(column)
        }
        var spec = ContractSpec(columns: columns)
        if let v = map["allow_extra_columns"] { spec.allowExtraColumns = try v.bool() }
        if let v = map["min_rows"] { spec.minRows = try v.int("a number of rows", range: 0...Int.max) }
        // The top-level spelling predates the format block; both set the same limit.
        if let v = map["max_field_bytes"] { spec.format.maxFieldBytes = try v.int("a size in bytes", range: 1...(1 << 30)) }
        if let v = map["format"] {
            let top = spec.format.maxFieldBytes
            spec.format = try formatOptions(v)
            spec.format.maxFieldBytes = spec.format.maxFieldBytes ?? top
        }
        return spec
    }

    /// `format: { type: csv|jsonl|json, delimiter: ";", encoding: windows-1252, compression: gzip|none, max_field_bytes: N }`.
    static func formatOptions(_ value: YAMLValue) throws -> TableFormat.Options {
        let f = try value.map(allowed: [
            "type", "delimiter", "encoding", "compression", "max_field_bytes",
            "max_decompressed_bytes", "max_compression_ratio", "max_rows", "max_rejects",
        ])
        var options = TableFormat.Options()
        if let v = f["type"] {
            let text = try v.string("a file type")
            guard let kind = TableFormat.Kind(rawValue: text) else {
                throw v.error(
                    "unknown file type '\(text)'; expected csv, jsonl or json\(NearMiss.hint(for: text, among: TableFormat.Kind.allCases.map(\.rawValue)))"
                )
            }
            options.kind = kind
        }
        if let v = f["delimiter"] {
            let text = try v.string("a delimiter")
            switch text {
            case "tab", "\t": options.delimiter = 9
            case _ where text.utf8.count == 1 && text != "\"" && text != "\n" && text != "\r": options.delimiter = text.utf8.first
            default: throw v.error("a delimiter is one character (',', ';', '|') or 'tab'; got '\(text)'")
            }
        }
        if let v = f["encoding"] {
            let text = try v.string("an encoding")
            guard let encoding = TextEncoding(name: text) else {
                throw v.error("unknown encoding '\(text)'; expected one of \(TextEncoding.names)")
            }
            options.encoding = encoding
        }
        if let v = f["compression"] {
            switch try v.string("a compression") {
            case "gzip": options.gzip = true
            case "none": options.gzip = false
            case "auto": options.gzip = nil
            case let other: throw v.error("unknown compression '\(other)'; expected gzip, none or auto")
            }
        }
        if let v = f["max_field_bytes"] { options.maxFieldBytes = try v.int("a size in bytes", range: 1...(1 << 30)) }
        if let v = f["max_decompressed_bytes"] { options.limits.maxDecompressedBytes = try v.int("a size in bytes", range: 1...Int.max) }
        if let v = f["max_compression_ratio"] { options.limits.maxCompressionRatio = try v.int("a ratio", range: 1...1_000_000) }
        if let v = f["max_rows"] { options.limits.maxRows = try v.int("a number of rows", range: 1...Int.max) }
        if let v = f["max_rejects"] { options.limits.maxRejects = try v.int("a number of rows", range: 0...Int.max) }
        return options
    }

    static let ruleNames = ["not_null", "unique", "range", "allowed", "pattern", "row_count"]

    static func quality(_ root: YAMLValue) throws -> QualitySpec {
        let map = try root.map(allowed: ["kind", "rules", "drift"])
        var rules: [QualityRule] = []
        for item in try map.required("rules", "the list of quality rules").list() {
            let rule = try item.map(allowed: ruleNames)
            guard rule.entries.count == 1, let (key, value) = rule.entries.first else {
                throw item.error("expected exactly one rule per list item (one of \(ruleNames.joined(separator: ", ")))")
            }
            switch try key.string() {
            case "not_null": rules.append(.notNull(try value.strings("a column name")))
            case "unique": rules.append(.unique(try value.strings("a column name")))
            case "range":
                let r = try value.map(allowed: ["column", "min", "max"])
                func bound(_ name: String) throws -> Decimal? {
                    guard let v = r[name] else { return nil }
                    let text = try v.string("a number")
                    guard let d = ValueParser.decimal(text) else { throw v.error("expected a number, found '\(text)'") }
                    return d
                }
                let min = try bound("min")
                let max = try bound("max")
                if min == nil && max == nil { throw value.error("a range needs 'min', 'max' or both") }
                rules.append(.range(column: try r.required("column", "a column name").string(), min: min, max: max))
            case "allowed":
                let r = try value.map(allowed: ["column", "values"])
                rules.append(
                    .allowed(
                        column: try r.required("column", "a column name").string(),
                        values: try r.required("values", "the allowed values").strings()
                    )
                )
            case "pattern":
                let r = try value.map(allowed: ["column", "regex"])
                let regexValue = try r.required("regex", "a regular expression")
                let regex = try regexValue.string("a regular expression")
                do { _ = try NSRegularExpression(pattern: regex) } catch {
                    throw regexValue.error("'\(regex)' is not a valid regular expression")
                }
                rules.append(.pattern(column: try r.required("column", "a column name").string(), regex: regex))
            default:
                let r = try value.map(allowed: ["within_pct", "history"])
                rules.append(
                    .rowCount(
                        withinPct: try r.required("within_pct", "the allowed deviation in percent").double("a percentage"),
                        history: try r["history"]?.int("a number of past runs", range: 1...365) ?? 7
                    )
                )
            }
        }
        var spec = QualitySpec(rules: rules)
        if let value = map["drift"] { spec.drift = try drift(value) }
        return spec
    }

    /// `drift: off`, or `drift: { columns: [...], shape: fail, range: fail, nulls: warn, values: warn,
    /// lookup_match: fail, history: 7, min_days: 3, per_column: { amount: { range: warn } } }`.
    static func drift(_ value: YAMLValue) throws -> DriftPolicy {
        var policy = DriftPolicy()
        if case .scalar = value.node {
            let text = try value.string()
            guard text == "off" || text == "false" else {
                throw value.error(
                    "expected off, or a map of drift settings (shape, range, nulls, values, lookup_match, columns, history, min_days, per_column)"
                )
            }
            policy.enabled = false
            return policy
        }
        let checks = DriftPolicy.Check.allCases.map(\.rawValue)
        let map = try value.map(allowed: ["columns", "history", "min_days", "per_column"] + checks)
        func levels(_ map: YAMLMap) throws -> [DriftPolicy.Check: DriftPolicy.Level] {
            var out: [DriftPolicy.Check: DriftPolicy.Level] = [:]
            for check in DriftPolicy.Check.allCases {
                if let v = map[check.rawValue] { out[check] = try enumValue(v, DriftPolicy.Level.self) }
            }
            return out
        }
        policy.levels.merge(try levels(map)) { _, new in new }
        if let v = map["columns"] { policy.columns = try v.strings("a column name") }
        if let v = map["history"] { policy.history = try v.int("a number of days", range: 1...90) }
        if let v = map["min_days"] { policy.minDays = try v.int("a number of days", range: 1...90) }
        if let v = map["per_column"] {
            for (key, settings) in try v.map(allowed: []).entries {
                policy.perColumn[try key.string("a column name")] = try levels(try settings.map(allowed: checks))
            }
        }
        return policy
    }

    static func transform(_ root: YAMLValue) throws -> TransformSpec {
        let map = try root.map(allowed: ["kind", "snake_case_names", "trim", "null_tokens", "iso_dates", "dedupe", "lookup", "computed"])
        var spec = TransformSpec()
        if let v = map["snake_case_names"] { spec.snakeCaseNames = try v.bool() }
        if let v = map["trim"] { spec.trim = try v.bool() }
        if let v = map["null_tokens"] { spec.nullTokens = try v.strings("a token") }
        if let v = map["iso_dates"] { spec.isoDates = try v.bool() }
        if let v = map["dedupe"] {
            let d = try v.map(allowed: ["key"])
            spec.dedupeKey = try d.required("key", "the key columns").strings("a column name")
        }
        if let v = map["lookup"] {
            let l = try v.map(allowed: ["file", "key", "columns"])
            spec.lookup = LookupSpec(
                file: try l.required("file", "a CSV file").template("a path"),
                key: try l.required("key", "the join column").string("a column name"),
                columns: try l.required("columns", "the columns to add").strings("a column name")
            )
        }
        if let v = map["computed"] {
            for item in try v.list() {
                let c = try item.map(allowed: ["name", "expr", "type"])
                let exprValue = try c.required("expr", "an expression such as round(amount * 0.08, 2)")
                let expression: ColumnExpression
                do { expression = try ColumnExpression.parse(try exprValue.string("an expression")) } catch let error as ExpressionError {
                    throw exprValue.error(error.message)
                }
                var type = ColumnType.string
                if let t = c["type"] {
                    let text = try t.string("a type")
                    guard let parsed = ColumnType(rawValue: text) else {
                        throw t.error(
                            "unknown type '\(text)'; expected one of \(ColumnType.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                    }
                    type = parsed
                }
                var computed = ComputedColumn(
                    name: try c.required("name", "the new column's name").string(),
                    expression: expression,
                    type: type
                )
                computed.file = exprValue.file
                computed.line = exprValue.line
                // A quoted scalar's mark is its opening quote.
                let quoted = exprValue.node.scalar.map { $0.style == .singleQuoted || $0.style == .doubleQuoted } ?? false
                computed.column = exprValue.column + (quoted ? 1 : 0)
                spec.computed.append(computed)
            }
        }
        return spec
    }

    static func load(_ root: YAMLValue) throws -> LoadSpec {
        let map = try root.map(allowed: [
            "kind", "target", "table", "mode", "key", "on_changed_input", "new_columns", "missing_columns", "type_changes",
        ])
        var spec = LoadSpec(
            target: try map["target"]?.template("sqlite:PATH") ?? Template(parsing: "sqlite:warehouse.db"),
            table: try map.required("table", "the target table").string("a table name")
        )
        if let v = map["mode"] { spec.mode = try enumValue(v, WriteMode.self) }
        if let v = map["key"] { spec.key = try v.strings("a column name") }
        if let v = map["on_changed_input"] { spec.onChangedInput = try enumValue(v, ChangedInputPolicy.self) }
        if let v = map["new_columns"] { spec.schema.newColumns = try enumValue(v, SchemaPolicy.NewColumns.self) }
        if let v = map["missing_columns"] { spec.schema.missingColumns = try enumValue(v, SchemaPolicy.MissingColumns.self) }
        if let v = map["type_changes"] { spec.schema.typeChanges = try enumValue(v, SchemaPolicy.TypeChanges.self) }
        let target = spec.target.source
        if !["sqlite:", "postgres://", "postgresql://", "{"].contains(where: { target.hasPrefix($0) }) {
            throw (map["target"] ?? root).error(
                "unsupported target '\(WarehouseTarget.display(target))'; expected sqlite:PATH or postgres://user@host:port/database"
            )
        }
        if target.range(of: "^postgres(ql)?://[^/@]*:[^/@]*@", options: .regularExpression) != nil {
            throw (map["target"] ?? root).error(
                "a password in the target would be shown and stored; leave it out and set PGPASSWORD instead"
            )
        }
        if spec.key.isEmpty, spec.mode == .merge || spec.onChangedInput == .merge {
            throw (map["mode"] ?? map["on_changed_input"] ?? root).error("a merge needs the key it merges on; add key: [column, …]")
        }
        return spec
    }

    static func health(_ root: YAMLValue) throws -> HealthCheckSpec {
        let map = try root.map(allowed: ["kind", "target", "table", "checks"])
        var spec = HealthCheckSpec()
        spec.target = try map["target"]?.template("sqlite:PATH")
        spec.table = try map["table"]?.string("a table name")
        if let v = map["checks"] {
            spec.checks = try v.list().map { item in
                let c = try item.map(allowed: ["name", "sql", "expect"])
                let sql = try c.required("sql", "a query that returns one value").string("SQL")
                return SQLCheck(
                    name: try c["name"]?.string() ?? sql,
                    sql: sql,
                    expect: try c.required("expect", "the expected value").string("a value")
                )
            }
        }
        return spec
    }

    static func quarantine(_ root: YAMLValue) throws -> QuarantineSpec {
        let map = try root.map(allowed: ["kind", "max_pct"])
        var spec = QuarantineSpec()
        if let v = map["max_pct"] {
            spec.maxPct = try v.double("a percentage")
            guard (0...100).contains(spec.maxPct) else { throw v.error("expected a percentage from 0 to 100") }
        }
        return spec
    }

    static func schemaRepair(_ root: YAMLValue) throws -> SchemaRepairSpec {
        let map = try root.map(allowed: [
            "kind", "proposers", "max_quarantine_pct", "model", "max_calls", "max_tokens", "deadline_seconds", "approval",
        ])
        var spec = SchemaRepairSpec()
        if let v = map["approval"] { spec.approval = try enumValue(v, SchemaRepairSpec.Approval.self) }
        if let v = map["proposers"] { spec.proposers = try v.list().map { try enumValue($0, SchemaRepairSpec.ProposerName.self) } }
        if let v = map["max_quarantine_pct"] { spec.maxQuarantinePct = try v.double("a percentage") }
        if let v = map["model"] { spec.model = try v.string("a model name") }
        if let v = map["max_calls"] { spec.maxCalls = try v.int("a number of calls", range: 0...20) }
        if let v = map["max_tokens"] { spec.maxTokens = try v.int("a number of tokens", range: 0...1_000_000) }
        if let v = map["deadline_seconds"] { spec.deadlineSeconds = try v.int("seconds", range: 1...600) }
        return spec
    }

    static func command(_ root: YAMLValue) throws -> CommandSpec {
        let map = try root.map(allowed: ["kind", "run", "timeout_seconds"])
        let runValue = try map.required("run", "the program and its arguments, as a list")
        let run: [Template]
        if case .scalar = runValue.node {
            run = [try runValue.template("a program")]
        } else {
            run = try runValue.list().map { try $0.template("an argument") }
        }
        if run.isEmpty { throw runValue.error("expected the program to run") }
        var spec = CommandSpec(run: run)
        if let v = map["timeout_seconds"] { spec.timeoutSeconds = try v.int("seconds", range: 1...86_400) }
        return spec
    }

    static func enumValue<E: RawRepresentable & CaseIterable>(_ value: YAMLValue, _ type: E.Type) throws -> E where E.RawValue == String {
        let text = try value.string()
        guard let result = E(rawValue: text) else {
            let names = E.allCases.map(\.rawValue)
            throw value.error(
                "unknown value '\(text)'; expected one of \(names.joined(separator: ", "))\(NearMiss.hint(for: text, among: names))"
            )
        }
        return result
    }
}
