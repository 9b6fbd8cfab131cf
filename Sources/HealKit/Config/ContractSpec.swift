import Foundation

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

extension ContractSpec: YAMLSettings {
    public static let kind: SkillKind = "validate_schema"

    static func decode(_ root: YAMLValue) throws -> ContractSpec {
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
            spec.format = try TableFormat.Options.decode(v)
            spec.format.maxFieldBytes = spec.format.maxFieldBytes ?? top
        }
        return spec
    }
}

extension TableFormat.Options {
    /// `format: { type: csv|jsonl|json, delimiter: ";", encoding: windows-1252, compression: gzip|none, max_field_bytes: N }`.
    static func decode(_ value: YAMLValue) throws -> TableFormat.Options {
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
}
