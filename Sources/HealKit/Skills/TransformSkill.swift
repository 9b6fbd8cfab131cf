import Foundation

/// `transform`: snake_case names, trim, null tokens, ISO dates, dedupe (first wins, counted), lookup join, computed columns.
///
/// Operations run in that order; names in the config are the names after snake_case renaming.
public struct TransformSkill: RowShaping {
    public let config: SkillConfig
    let spec: TransformSpec

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        let artifact = try input.requireArtifact()
        let reader: any TableReader
        do { reader = try context.open(artifact) } catch let error as TableError {
            return .fail(.parseError, "\(error)")
        }
        let plan = try TransformPlan(spec, header: reader.header, artifact: artifact, skill: config.name, input: input, in: context)
        let (columns, sources, expressions, width) = (plan.columns, plan.sources, plan.expressions, plan.width)
        let (dedupeIndexes, lookupIndex, lookup, nullTokens) = (plan.dedupeIndexes, plan.lookupIndex, plan.lookup, plan.nullTokens)
        let (trim, isoFormats, casts) = (plan.trim, plan.isoFormats, plan.casts)
        let output = context.stagingURL(stepIndex: input.stepIndex, name: input.stepName)
        let writer = try CSVWriter(url: output, header: columns.map(\.name), carrySourceLines: true)
        let seen = KeySet()
        var scratch: [UInt8] = []
        var read = 0
        var duplicates = 0
        var dateText = [UInt8](repeating: 0, count: 10)
        var computedText = [String](repeating: "", count: expressions.count)
        // A computed value that came out NULL although every input it read had a value: a division by zero, text
        // where a number was expected. Counted per column; any is a failure, never a silent NULL loaded.
        var nullInputs = [Int](repeating: 0, count: expressions.count)
        var unexplained = [Int](repeating: 0, count: expressions.count)
        var firstUnexplained = [Int?](repeating: nil, count: expressions.count)
        do {
            try reader.forEachRow { row in
                read += 1
                guard row.count == width else {
                    throw SkillFailure(
                        .parseError,
                        "line \(row.line): \(row.count) fields, the header has \(width); validate the schema (and quarantine ragged rows) before transforming"
                    )
                }
                func cell(_ i: Int) -> FieldBytes {
                    var f = row[i]
                    if trim { f = f.trimmed }
                    if !nullTokens.isEmpty, nullTokens.contains(where: { t in t.count == f.count && t.elementsEqual(f.buffer) }) {
                        return FieldBytes(UnsafeBufferPointer(start: f.buffer.baseAddress, count: 0))
                    }
                    return f
                }
                if !dedupeIndexes.isEmpty {
                    let isNew: Bool
                    if dedupeIndexes.count == 1 {
                        isNew = seen.insert(UnsafeRawBufferPointer(cell(dedupeIndexes[0]).buffer))
                    } else {
                        KeySet.composite(dedupeIndexes.map(cell), into: &scratch)
                        isNew = scratch.withUnsafeBytes { seen.insert($0) }
                    }
                    if !isNew {
                        duplicates += 1
                        return
                    }
                }
                let found = lookup.flatMap { $0.values(for: cell(lookupIndex).trimmed.string) }
                for n in expressions.indices {
                    var inputNull = false
                    computedText[n] =
                        expressions[n].evaluate { i, kind in
                            let value: ExactValue
                            switch sources[i] {
                            case .field(let f): value = ExactValue.of(cell(f).trimmed, kind: kind)
                            case .lookup(let l): value = ExactValue.of(found?[l] ?? "", kind: kind)
                            case .computed(let c):
                                // Not computed yet: a column being replaced still reads its original value.
                                if c < n {
                                    value = ExactValue.of(computedText[c], kind: kind)
                                } else {
                                    value = i < width ? ExactValue.of(cell(i).trimmed, kind: kind) : .null
                                }
                            }
                            if value.isNull { inputNull = true }
                            return value
                        }.text
                    if computedText[n].isEmpty {
                        if inputNull {
                            nullInputs[n] += 1
                        } else {
                            unexplained[n] += 1
                            if firstUnexplained[n] == nil { firstUnexplained[n] = row.line }
                        }
                    }
                }
                writer.beginRow(sourceLine: row.line)
                for i in 0..<columns.count {
                    switch sources[i] {
                    case .lookup(let l):
                        writer.appendField(found?[l] ?? "")
                    case .computed(let c):
                        writer.appendField(computedText[c])
                    case .field:
                        // Only input columns are fields: added columns are lookups or computed.
                        let f = cell(i)
                        if !f.isEmpty, let formats = isoFormats[i], let date = CalendarDate.parse(bytes: f.trimmed.buffer, formats: formats)
                        {
                            date.writeISO(into: &dateText)
                            dateText.withUnsafeBufferPointer { writer.appendField(FieldBytes($0)) }
                        } else if !f.isEmpty, let cast = casts[i], let text = cast.canonical(f.trimmed) {
                            writer.appendField(text)
                        } else {
                            writer.appendField(f)
                        }
                    }
                }
                try writer.endRow()
            }
        } catch let error as TableError {
            return .fail(.parseError, "\(error)")
        }
        let digest = try writer.finish()
        if let n = unexplained.indices.first(where: { unexplained[$0] > 0 }) {
            let computed = spec.computed[n]
            return .fail(
                .qualityViolation,
                "computed column \(computed.name) = \(computed.expression) came out NULL on \(Noun.count(unexplained[n], "row")) whose inputs all had values (first: source line \(firstUnexplained[n] ?? 0)), besides \(nullInputs[n]) with an empty input; fix the expression in skills/\(config.name).yml (a division by zero, or a value of the wrong type); nothing was loaded",
                figures: ["rows": read, "computed_nulls": unexplained[n]]
            )
        }
        let next = Artifact(url: output, sha256: digest.sha256, bytes: digest.bytes, rows: writer.rows, columns: columns)
        return .pass(
            "\(Noun.count(read, "row")) in, \(writer.rows) out, \(duplicates) duplicates dropped",
            figures: ["rows": read, "written": writer.rows, "deduplicated": duplicates],
            artifact: next,
            rows: RowDelta(read: read, deduplicated: duplicates)
        )
    }
}

extension ComputedColumn {
    /// The column a computed expression writes: its declared type, read back as the text the transform writes. A
    /// timestamp is an instant (UTC, with `Z`) when a timestamp it reads is one, else a wall-clock time.
    func outputColumn(reading columns: [ColumnSpec], skill: String) -> ColumnSpec {
        var column = ColumnSpec(name: name, type: type, required: false)
        if type == .timestamp {
            let instants = expression.columns.contains { name in columns.first { $0.name == name }?.keepsOffset == true }
            column.formats =
                instants ? [] : ["yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss.SSS", "yyyy-MM-dd"].compactMap { DateFormat($0) }
        }
        column.origin = .computed(skill: skill)
        return column
    }
}

/// A small table (product_id → category, region) held in memory for a left join; any shape the readers read.
struct LookupTable {
    let rows: [String: [String]]

    init(url: URL, key: String, columns: [String]) throws {
        let reader: any TableReader
        do { reader = try Tables.open(url, format: TableFormat.detect(url)) } catch let error as TableError {
            throw SkillFailure(.sourceMissing, "lookup file: \(error.problem) (\(error.file))")
        }
        let file = "lookup file \(url.lastPathComponent)"
        let keyIndex = try ColumnLookup.position(of: key, among: reader.header, in: file)
        let indexes = try columns.map { name in try ColumnLookup.position(of: name, among: reader.header, in: file) }
        var rows: [String: [String]] = [:]
        let width = reader.header.count
        try reader.forEachRow { row in
            guard row.count == width else { return }
            let k = row[keyIndex].trimmed.string
            if rows[k] == nil { rows[k] = indexes.map { row[$0].trimmed.string } }
        }
        self.rows = rows
    }

    func values(for key: String) -> [String]? { rows[key] }
}

extension TransformSpec: StepSettings {
    public func makeSkill(_ config: SkillConfig) -> any Skill { TransformSkill(config: config, spec: self) }
}
