import Foundation

/// `transform`: snake_case names, trim, null tokens, ISO dates, dedupe (first wins, counted), lookup join, computed columns.
///
/// Operations run in that order; names in the config are the names after snake_case renaming.
public struct TransformSkill: Skill {
    public let config: SkillConfig
    let spec: TransformSpec

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        let artifact = try input.requireArtifact()
        let reader: CSVReader
        do { reader = try CSVReader(url: artifact.url) } catch let error as CSVError {
            return .fail(.parseError, "\(error)")
        }
        var columns = reader.header.map { artifact.column(named: $0) }
        if spec.snakeCaseNames {
            for i in columns.indices { columns[i].name = SnakeCase.convert(columns[i].name) }
            var seen: [String: String] = [:]
            for (original, column) in zip(reader.header, columns) {
                if let other = seen[column.name] {
                    return .fail(.schemaMismatch, "columns '\(other)' and '\(original)' both become '\(column.name)' in snake_case")
                }
                seen[column.name] = original
            }
        }
        let names = columns.map(\.name)
        func index(_ name: String, _ what: String) throws -> Int {
            guard let i = names.firstIndex(of: name) else {
                throw SkillFailure(.schemaMismatch, "\(what) names column '\(name)', which the file does not have (columns: \(names.joined(separator: ", ")))\(NearMiss.hint(for: name, among: names))")
            }
            return i
        }
        let dedupeIndexes = try spec.dedupeKey.map { try index($0, "dedupe key") }
        let nullTokens = Set(spec.nullTokens)
        let dateColumns = spec.isoDates ? columns.indices.filter { columns[$0].type == .date } : []

        var lookup: LookupTable?
        var lookupIndex = 0
        if let lookupSpec = spec.lookup {
            lookupIndex = try index(lookupSpec.key, "lookup key")
            lookup = try LookupTable(url: context.home.resolve(path: try context.render(lookupSpec.file)), key: lookupSpec.key, columns: lookupSpec.columns)
            for name in lookupSpec.columns where !names.contains(name) {
                columns.append(ColumnSpec(name: name, type: .string, required: false))
            }
        }
        let lookupTargets = spec.lookup.map { l in l.columns.map { name in columns.firstIndex { $0.name == name }! } } ?? []
        var computedIndexes: [Int] = []
        for computed in spec.computed {
            for name in computed.expression.columns where !columns.contains(where: { $0.name == name }) {
                throw SkillFailure(.schemaMismatch, "computed column '\(computed.name)' reads '\(name)', which the file does not have\(NearMiss.hint(for: name, among: columns.map(\.name)))")
            }
            if let existing = columns.firstIndex(where: { $0.name == computed.name }) {
                columns[existing].type = computed.type
                computedIndexes.append(existing)
            } else {
                columns.append(ColumnSpec(name: computed.name, type: computed.type, required: false))
                computedIndexes.append(columns.count - 1)
            }
        }
        let positions = Dictionary(columns.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let types = columns.map(\.type)

        let output = context.stagingURL(stepIndex: input.stepIndex, name: input.stepName)
        let writer = try CSVWriter(url: output, header: columns.map(\.name), carrySourceLines: true)
        var seen: Set<String> = []
        var read = 0, duplicates = 0
        do {
            while let record = try reader.next() {
                read += 1
                guard record.fields.count == reader.header.count else {
                    return .fail(.parseError, "line \(record.line): \(record.fields.count) fields, the header has \(reader.header.count); validate the schema (and quarantine ragged rows) before transforming")
                }
                var row = record.fields
                for i in row.indices {
                    if spec.trim { row[i] = Text.trim(row[i]) }
                    if !nullTokens.isEmpty, nullTokens.contains(row[i]) { row[i] = "" }
                }
                for i in dateColumns where !row[i].isEmpty {
                    if let date = CalendarDate.parse(Text.trim(row[i]), formats: columns[i].formats) { row[i] = date.description }
                }
                if !dedupeIndexes.isEmpty {
                    let key = dedupeIndexes.map { row[$0] }.joined(separator: "\u{1F}")
                    if !seen.insert(key).inserted {
                        duplicates += 1
                        continue
                    }
                }
                row.reserveCapacity(columns.count)
                while row.count < columns.count { row.append("") }
                if let lookup {
                    let found = lookup.values(for: Text.trim(row[lookupIndex]))
                    for (n, target) in lookupTargets.enumerated() { row[target] = found?[n] ?? "" }
                }
                for (computed, target) in zip(spec.computed, computedIndexes) {
                    let value = computed.expression.evaluate { name in
                        let i = positions[name]!
                        let text = Text.trim(row[i])
                        if text.isEmpty { return .null }
                        if types[i] == .integer || types[i] == .decimal, let number = ValueParser.decimal(text) { return .number(number) }
                        return .text(text)
                    }
                    row[target] = value.text
                }
                try writer.write(row, sourceLine: record.line)
            }
        } catch let error as CSVError {
            return .fail(.parseError, "\(error)")
        }
        let digest = try writer.finish()
        let next = Artifact(url: output, sha256: digest.sha256, bytes: digest.bytes, rows: writer.rows, columns: columns)
        return .pass("\(read) rows in, \(writer.rows) out, \(duplicates) duplicates dropped", figures: ["rows": read, "written": writer.rows, "deduplicated": duplicates],
                     artifact: next, rows: RowDelta(read: read, deduplicated: duplicates))
    }
}

/// `SaleID` → `sale_id`, `Product Name` → `product_name`, `order-date` → `order_date`.
public enum SnakeCase {
    public static func convert(_ name: String) -> String {
        let chars = Array(name.trimmingCharacters(in: .whitespaces))
        var out = ""
        for (i, c) in chars.enumerated() {
            if c == " " || c == "-" || c == "." || c == "_" {
                if !out.hasSuffix("_") { out.append("_") }
                continue
            }
            if c.isUppercase, i > 0 {
                let previous = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) {
                    if !out.hasSuffix("_") { out.append("_") }
                }
            }
            out += c.lowercased()
        }
        return out
    }
}

/// A small CSV (product_id → category, region) held in memory for a left join.
struct LookupTable {
    let rows: [String: [String]]

    init(url: URL, key: String, columns: [String]) throws {
        let reader: CSVReader
        do { reader = try CSVReader(url: url) } catch let error as CSVError {
            throw SkillFailure(.sourceMissing, "lookup file: \(error.problem) (\(error.file))")
        }
        guard let keyIndex = reader.header.firstIndex(of: key) else {
            throw SkillFailure(.schemaMismatch, "lookup file \(url.lastPathComponent) has no column '\(key)' (columns: \(reader.header.joined(separator: ", ")))")
        }
        let indexes = try columns.map { name in
            guard let i = reader.header.firstIndex(of: name) else {
                throw SkillFailure(.schemaMismatch, "lookup file \(url.lastPathComponent) has no column '\(name)'\(NearMiss.hint(for: name, among: reader.header))")
            }
            return i
        }
        var rows: [String: [String]] = [:]
        while let record = try reader.next() {
            guard record.fields.count == reader.header.count else { continue }
            let k = Text.trim(record.fields[keyIndex])
            if rows[k] == nil { rows[k] = indexes.map { Text.trim(record.fields[$0]) } }
        }
        self.rows = rows
    }

    func values(for key: String) -> [String]? { rows[key] }
}
