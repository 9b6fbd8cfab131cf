import Foundation

/// What a transform does to each column, worked out once from its settings and the header before any row is read:
/// the output columns and where each value comes from (a field, the lookup, a computed expression), the dedupe
/// key, the lookup table, and the rewrites to canonical text (ISO dates, plain numbers, true/false).
struct TransformPlan {
    /// Where each output column's value comes from.
    enum Source { case field(Int), lookup(Int), computed(Int) }

    let columns: [ColumnSpec]
    let sources: [Source]
    let expressions: [CompiledExpression]
    /// Each expression as scaled-integer steps, where it is only arithmetic on the row's number fields.
    let programs: [ScaledProgram?]
    /// Fields per input row.
    let width: Int
    let dedupeIndexes: [Int]
    let lookupIndex: Int
    let lookup: LookupTable?
    let nullTokens: [[UInt8]]
    let trim: Bool
    /// Date columns with explicit formats are rewritten to ISO without allocating; other rewrites go through ValueCheck.
    let isoFormats: [[DateFormat]?]
    let casts: [ValueCheck?]

    init(_ spec: TransformSpec, header: [String], artifact: Artifact, skill: String, input: StepInput, in context: RunContext) throws {
        var columns = header.map { artifact.column(named: $0) }
        if spec.snakeCaseNames {
            for i in columns.indices { columns[i].name = SnakeCase.convert(columns[i].name) }
            var seen: [String: String] = [:]
            for (original, column) in zip(header, columns) {
                if let other = seen[column.name] {
                    throw SkillFailure(.schemaMismatch, "columns '\(other)' and '\(original)' both become '\(column.name)' in snake_case")
                }
                seen[column.name] = original
            }
        }
        let names = columns.map(\.name)
        func index(_ name: String, _ what: String) throws -> Int {
            try ColumnLookup.position(of: name, among: names, in: "the file", for: what)
        }
        let dedupeIndexes = try spec.dedupeKey.map { try index($0, "dedupe key") }
        let lookupIndex = try spec.lookup.map { try index($0.key, "lookup key") } ?? 0
        let lookup = try spec.lookup.map { l in
            try LookupTable(url: context.home.resolve(path: try context.renderPath(l.file, for: input)), key: l.key, columns: l.columns)
        }
        for name in spec.lookup?.columns ?? [] where !names.contains(name) {
            var column = ColumnSpec(name: name, type: .string, required: false)
            column.origin = .lookup(skill: skill)
            columns.append(column)
        }
        let lookupTargets = spec.lookup.map { l in l.columns.map { name in columns.firstIndex { $0.name == name }! } } ?? []
        var computedIndexes: [Int] = []
        for computed in spec.computed {
            for name in computed.expression.columns {
                _ = try ColumnLookup.position(
                    of: name,
                    among: columns.map(\.name),
                    in: "the file",
                    for: "computed column '\(computed.name)'"
                )
            }
            if let existing = columns.firstIndex(where: { $0.name == computed.name }) {
                columns[existing].type = computed.type
                // The computed text is canonical: the replaced column's separators and tokens no longer apply.
                columns[existing] = computed.outputColumn(reading: columns, skill: skill)
                computedIndexes.append(existing)
            } else {
                columns.append(computed.outputColumn(reading: columns, skill: skill))
                computedIndexes.append(columns.count - 1)
            }
        }
        let positions = Dictionary(columns.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })

        let width = header.count
        let nullTokens = spec.nullTokens.map { Array($0.utf8) }
        var sources = (0..<columns.count).map { TransformPlan.Source.field($0) }
        for (n, target) in lookupTargets.enumerated() { sources[target] = .lookup(n) }
        for (n, target) in computedIndexes.enumerated() { sources[target] = .computed(n) }
        let kinds = columns.map(ValueKind.init)
        let expressions = spec.computed.map { computed in
            CompiledExpression(computed.expression) { name in (positions[name]!, kinds[positions[name]!]) }
        }
        let trim = spec.trim
        // Date columns with explicit formats are rewritten to ISO without allocating; other rewrites go through ValueCheck.
        let isoFormats: [[DateFormat]?] = (0..<width).map { spec.isoDates && columns[$0].type == .date ? columns[$0].formats : nil }
        // Columns whose text is rewritten to its canonical form: ISO dates and timestamps, plain numbers, true/false.
        let casts: [ValueCheck?] = (0..<width).map { i in
            let check = ValueCheck(columns[i])
            switch columns[i].type {
            case .date, .timestamp: return spec.isoDates && (columns[i].autoDates || columns[i].type == .timestamp) ? check : nil
            default: return check.rewrites ? check : nil
            }
        }
        self.columns = columns
        self.sources = sources
        self.expressions = expressions
        programs = expressions.map { expression in
            ScaledProgram(expression.root) { i in if case .field(let f) = sources[i], f < width { return f } else { return nil } }
        }
        self.width = width
        self.dedupeIndexes = dedupeIndexes
        self.lookupIndex = lookupIndex
        self.lookup = lookup
        self.nullTokens = nullTokens
        self.trim = trim
        self.isoFormats = isoFormats
        self.casts = casts
    }
}
