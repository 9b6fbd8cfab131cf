import Foundation

/// The transform's row loop: shapes each input row into the output, or drops it as a duplicate, and keeps the tallies
/// the step's verdict is made of. The staged transform writes into a CSV file; the streamed one into batches a load
/// reads as they are made.
final class TransformRows {
    let plan: TransformPlan
    private(set) var read = 0
    private(set) var written = 0
    private(set) var duplicates = 0
    private let seen = KeySet()
    private var scratch: [UInt8] = []
    private var dateText = [UInt8](repeating: 0, count: 10)
    /// Each computed column's value on the current row, as the text the transform writes (reused buffers).
    private var computedText: [[UInt8]]
    // A computed value that came out NULL although every input it read had a value: a division by zero, text
    // where a number was expected. Counted per column; any is a failure, never a silent NULL loaded.
    private var nullInputs: [Int]
    private var unexplained: [Int]
    private var firstUnexplained: [Int?]

    init(_ plan: TransformPlan) {
        self.plan = plan
        computedText = [[UInt8]](repeating: [], count: plan.expressions.count)
        nullInputs = [Int](repeating: 0, count: plan.expressions.count)
        unexplained = nullInputs
        firstUnexplained = [Int?](repeating: nil, count: plan.expressions.count)
    }

    @inline(__always)
    private func cell(_ row: RowView, _ i: Int) -> FieldBytes {
        var f = row[i]
        if plan.trim { f = f.trimmed }
        if !plan.nullTokens.isEmpty, plan.nullTokens.contains(where: { t in t.count == f.count && t.elementsEqual(f.buffer) }) {
            return FieldBytes(UnsafeBufferPointer(start: f.buffer.baseAddress, count: 0))
        }
        return f
    }

    /// Shapes one row into `sink`; a row of the wrong width is a parse error, since only checked rows get here.
    func shape<Sink: RowSink>(_ row: RowView, into sink: Sink) throws {
        read += 1
        guard row.count == plan.width else {
            throw SkillFailure(
                .parseError,
                "line \(row.line): \(row.count) fields, the header has \(plan.width); validate the schema (and quarantine ragged rows) before transforming"
            )
        }
        if !plan.dedupeIndexes.isEmpty {
            let isNew: Bool
            if plan.dedupeIndexes.count == 1 {
                isNew = seen.insert(UnsafeRawBufferPointer(cell(row, plan.dedupeIndexes[0]).buffer))
            } else {
                KeySet.composite(plan.dedupeIndexes.map { cell(row, $0) }, into: &scratch)
                isNew = scratch.withUnsafeBytes { seen.insert($0) }
            }
            if !isNew {
                duplicates += 1
                return
            }
        }
        let found = plan.lookup.flatMap { $0.values(for: cell(row, plan.lookupIndex).trimmed.string) }
        compute(row, found: found)
        sink.beginRow(sourceLine: row.line)
        for i in 0..<plan.columns.count {
            switch plan.sources[i] {
            case .lookup(let l):
                sink.appendField(found?[l] ?? "")
            case .computed(let c):
                computedText[c].withUnsafeBufferPointer { sink.appendField(FieldBytes($0)) }
            case .field:
                // Only input columns are fields: added columns are lookups or computed.
                let f = cell(row, i)
                if !f.isEmpty, let formats = plan.isoFormats[i], let date = CalendarDate.parse(bytes: f.trimmed.buffer, formats: formats) {
                    date.writeISO(into: &dateText)
                    dateText.withUnsafeBufferPointer { sink.appendField(FieldBytes($0)) }
                } else if !f.isEmpty, let cast = plan.casts[i], let text = cast.canonical(f.trimmed) {
                    sink.appendField(text)
                } else {
                    sink.appendField(f)
                }
            }
        }
        try sink.endRow()
        written += 1
    }

    /// Evaluates the computed columns of one row into `computedText`, counting the NULLs no input explains.
    private func compute(_ row: RowView, found: [String]?) {
        let expressions = plan.expressions
        let sources = plan.sources
        // Worked on outside the object, so the row's values are not checked for exclusive access one by one.
        var texts: [[UInt8]] = []
        swap(&texts, &computedText)
        defer { swap(&texts, &computedText) }
        for n in expressions.indices {
            if let program = plan.programs[n] {
                switch program.run({ cell(row, $0).trimmed }) {
                case .value(let s, let scale):
                    texts[n].removeAll(keepingCapacity: true)
                    ExactValue.exact(s, scale).appendText(to: &texts[n])
                    continue
                case .null:
                    texts[n].removeAll(keepingCapacity: true)
                    nullInputs[n] += 1
                    continue
                case .unknown:
                    break
                }
            }
            var inputNull = false
            let value = expressions[n].evaluate { i, kind in
                let value: ExactValue
                switch sources[i] {
                case .field(let f): value = ExactValue.of(cell(row, f).trimmed, kind: kind)
                case .lookup(let l): value = ExactValue.of(found?[l] ?? "", kind: kind)
                case .computed(let c):
                    // Not computed yet: a column being replaced still reads its original value.
                    if c < n {
                        value = texts[c].withUnsafeBufferPointer { ExactValue.of(FieldBytes($0), kind: kind) }
                    } else {
                        value = i < plan.width ? ExactValue.of(cell(row, i).trimmed, kind: kind) : .null
                    }
                }
                if value.isNull { inputNull = true }
                return value
            }
            texts[n].removeAll(keepingCapacity: true)
            value.appendText(to: &texts[n])
            if texts[n].isEmpty {
                if inputNull {
                    nullInputs[n] += 1
                } else {
                    unexplained[n] += 1
                    if firstUnexplained[n] == nil { firstUnexplained[n] = row.line }
                }
            }
        }
    }

    /// The step's verdict once every row is shaped: a computed column NULL on rows whose inputs all had values fails
    /// it; otherwise it passes with `artifact` (nil when the rows went straight to the next step).
    func verdict(_ spec: TransformSpec, skill: String, artifact: Artifact?, streamedInto: String? = nil) -> SkillResult {
        if let n = unexplained.indices.first(where: { unexplained[$0] > 0 }) {
            let computed = spec.computed[n]
            return .fail(
                .qualityViolation,
                "computed column \(computed.name) = \(computed.expression) came out NULL on \(Noun.count(unexplained[n], "row")) whose inputs all had values (first: source line \(firstUnexplained[n] ?? 0)), besides \(nullInputs[n]) with an empty input; fix the expression in skills/\(skill).yml (a division by zero, or a value of the wrong type); nothing was loaded",
                figures: ["rows": read, "computed_nulls": unexplained[n]]
            )
        }
        let streamed = streamedInto.map { ", streamed into step \($0) (no file staged)" } ?? ""
        return .pass(
            "\(Noun.count(read, "row")) in, \(written) out, \(duplicates) duplicates dropped\(streamed)",
            figures: ["rows": read, "written": written, "deduplicated": duplicates],
            artifact: artifact,
            rows: RowDelta(read: read, deduplicated: duplicates)
        )
    }
}
