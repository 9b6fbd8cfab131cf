import Foundation

/// `transform`: snake_case names, trim, null tokens, ISO dates, dedupe (first wins, counted), lookup join, computed columns.
///
/// Operations run in that order; names in the config are the names after snake_case renaming.
public struct TransformSkill: RowStreaming {
    public let config: SkillConfig
    let spec: TransformSpec

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        let artifact = try input.requireArtifact()
        let reader: any TableReader
        do { reader = try context.open(artifact) } catch let error as TableError {
            return .fail(.parseError, "\(error)")
        }
        let rows = TransformRows(
            try TransformPlan(spec, header: reader.header, artifact: artifact, skill: config.name, input: input, in: context)
        )
        let output = context.stagingURL(stepIndex: input.stepIndex, name: input.stepName)
        let writer = try CSVWriter(url: output, header: rows.plan.columns.map(\.name), carrySourceLines: true)
        do {
            try reader.forEachRow { try rows.shape($0, into: writer) }
        } catch let error as TableError {
            return .fail(.parseError, "\(error)")
        }
        let digest = try writer.finish()
        let next = Artifact(url: output, sha256: digest.sha256, bytes: digest.bytes, rows: writer.rows, columns: rows.plan.columns)
        return rows.verdict(spec, skill: config.name, artifact: next)
    }

    /// The same rows as `run` writes, made as the next step reads them: nothing is staged, and the verdict is known
    /// once the last row is read (a failing one ends the read with its failure, so a load reading it rolls back).
    public func stream(_ input: StepInput, into next: String, in context: RunContext) throws -> any JudgedRowStream {
        let artifact = try input.requireArtifact()
        let reader = try context.open(artifact)
        let rows = TransformRows(
            try TransformPlan(spec, header: reader.header, artifact: artifact, skill: config.name, input: input, in: context)
        )
        return TransformStream(rows: rows, reader: reader, spec: spec, skill: config.name, next: next)
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
