import Foundation

/// `load`: writes the artifact to the warehouse in one transaction with its `_heal_loads` ledger row.
///
/// Passes when the table grew by exactly the rows inserted. The same date and input again is skipped.
public struct LoadSkill: Skill {
    public let config: SkillConfig
    let spec: LoadSpec

    func warehouse(in context: RunContext) throws -> any Warehouse {
        try WarehouseTarget.open(try context.render(spec.target), home: context.home)
    }

    /// Whether this date was already loaded into this table from the same input.
    public func priorLoad(sourceSHA256: String, in context: RunContext) throws -> LedgerEntry? {
        try warehouse(in: context).ledger(pipeline: context.pipeline, date: context.date.description, table: spec.table)
            .first { $0.inputSHA256 == sourceSHA256 }
    }

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        let artifact = try input.requireArtifact()
        let warehouse = try warehouse(in: context)
        let sourceSHA = context.sourceSHA256 ?? artifact.sha256
        let earlier = try warehouse.ledger(pipeline: context.pipeline, date: context.date.description, table: spec.table)
        var replace = spec.mode == .replace || context.force
        if context.isRelease {
            // Released rows join the day's data: appended, once per distinct set of rows.
            if let same = earlier.first(where: { $0.inputSHA256 == sourceSHA }) {
                return .skip("these rows are already in \(spec.table) (release run \(same.runID))")
            }
            replace = false
        } else if let previous = earlier.first, !replace {
            if previous.inputSHA256 == sourceSHA {
                return .skip("\(context.date) is already in \(spec.table) from the same input (run \(previous.runID)); use --force to load it again")
            }
            guard spec.onChangedInput == .replace else {
                return .fail(.constraintViolation, "\(context.date) is already in \(spec.table) from a different input (run \(previous.runID), sha256 \(previous.inputSHA256.prefix(12))…); re-run with --force to replace that day, or set on_changed_input: replace")
            }
            replace = true
        }
        let columns = try artifact.columns ?? artifact.open().header.map { ColumnSpec(name: $0) }
        for key in spec.key where !columns.contains(where: { $0.name == key }) {
            return .fail(.schemaMismatch, "key column '\(key)' is not in the data (columns: \(columns.map(\.name).joined(separator: ", ")))")
        }
        let report = try warehouse.load(LoadRequest(
            pipeline: context.pipeline, date: context.date.description, runID: context.runID, table: spec.table,
            columns: columns, artifact: artifact, inputSHA256: sourceSHA, key: spec.key, replaceDate: replace, progress: context.progress))
        let replaced = report.replaced > 0 ? ", replacing \(report.replaced) earlier rows of \(context.date)" : ""
        return .pass("\(report.inserted) rows into \(spec.table) (\(report.before) → \(report.after))\(replaced)",
                     figures: ["inserted": report.inserted, "before": report.before, "after": report.after, "replaced": report.replaced],
                     rows: RowDelta(read: artifact.rows ?? report.inserted, loaded: report.inserted))
    }

    var table: String { spec.table }
    var target: Template { spec.target }
}
