import Foundation

/// `load`: writes the artifact to the warehouse in one transaction with its `_heal_loads` ledger row.
///
/// Passes when the table grew by exactly the rows inserted (and, for a merge, the rest were updated).
/// The same date and input again is skipped.
public struct LoadSkill: Loading {
    public let config: SkillConfig
    let spec: LoadSpec

    public func warehouse(in context: RunContext) throws -> any Warehouse { try context.warehouse(spec.target) }

    /// New columns are typed by a read of their own before the load's, so only a load that ignores them reads once.
    public var readsStreamedRows: Bool { spec.schema.newColumns == .ignore }

    /// Whether this date was already loaded into this table from the same input.
    public func priorLoad(sourceSHA256: String, in context: RunContext) async throws -> LedgerEntry? {
        try await warehouse(in: context).ledger(pipeline: context.pipeline, date: context.date.description, table: spec.table)
            .first { $0.inputSHA256 == sourceSHA256 }
    }

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        let artifact = try input.requireArtifact()
        let warehouse = try warehouse(in: context)
        let sourceSHA = input.sourceSHA256 ?? artifact.sha256
        let earlier = try await warehouse.ledger(pipeline: context.pipeline, date: context.date.description, table: spec.table)
        var mode: LoadMode = context.mode.isForced ? .replaceDate : spec.mode.loadMode
        if context.mode.isRelease {
            // Released rows join the day's data: appended, once per distinct set of rows.
            if let same = earlier.first(where: { $0.inputSHA256 == sourceSHA }) {
                return .skip("these rows are already in \(spec.table) (release run \(same.runID))")
            }
            mode = .append
        } else if let previous = earlier.first, !context.mode.isForced, spec.mode != .replace {
            if previous.inputSHA256 == sourceSHA && previous.runID == context.mode.resumedFrom {
                // The interrupted run committed this load (data and ledger row together) just before it stopped.
                return .pass(
                    "\(Noun.count(previous.rows, "row")) were loaded into \(spec.table) by the interrupted run \(previous.runID) before it stopped; its ledger row is there",
                    figures: ["inserted": previous.rows],
                    rows: RowDelta(read: artifact.rows ?? previous.rows, loaded: previous.rows)
                )
            }
            if previous.inputSHA256 == sourceSHA {
                return .skip(
                    "\(context.date) is already in \(spec.table) from the same input (run \(previous.runID)); use --force to load it again"
                )
            }
            switch spec.onChangedInput {
            case .refuse:
                var refused = SkillResult.fail(
                    .constraintViolation,
                    "\(context.date) is already in \(spec.table) from a different input (run \(previous.runID), sha256 \(previous.inputSHA256.prefix(12))…); re-run with --force to replace that day, or set on_changed_input: replace or merge",
                    figures: ["changed_input": 1]
                )
                refused.changedInput = true
                return refused
            case .replace: mode = .replaceDate
            case .merge: mode = .merge
            }
        }
        return try await load(artifact, mode: mode, into: warehouse, for: input, in: context)
    }

    /// Writes the artifact in `mode`; also what the `upsert` remediation calls with `.merge`.
    public func load(
        _ artifact: Artifact,
        mode: LoadMode,
        into warehouse: any Warehouse,
        for input: StepInput,
        in context: RunContext
    ) async throws -> SkillResult {
        let columns = try artifact.columns ?? artifact.open().header.map { ColumnSpec(name: $0) }
        for key in spec.key where !columns.contains(where: { $0.name == key }) {
            return .fail(
                .schemaMismatch,
                "key column '\(key)' is not in the data (columns: \(columns.map(\.name).joined(separator: ", ")))"
            )
        }
        if mode == .merge && spec.key.isEmpty {
            return .fail(.constraintViolation, "a merge needs a key; set key: [column, …] in skills/\(config.name).yml")
        }
        var request = LoadRequest(
            pipeline: context.pipeline,
            date: context.date.description,
            runID: context.runID,
            table: spec.table,
            columns: columns,
            artifact: artifact,
            inputSHA256: input.sourceSHA256 ?? artifact.sha256,
            key: spec.key,
            mode: mode,
            progress: context.progress,
            expectedRows: input.expectedLoadRows
        )
        request.contract = context.contractDefinition(excluding: Set(columns.map(\.name)))
        request.policy = spec.schema
        request.loadSkill = config.name
        if spec.schema.newColumns != .ignore {
            request.inferred = try ColumnInference.infer(columns.filter { $0.origin == .file }.map(\.name), in: artifact)
        }
        CrashPoint.reach("load-start")
        let report = try await warehouse.load(request)
        CrashPoint.reach("load-committed")
        if !context.judgingProposal {
            let target = WarehouseTarget.display(try context.renderPath(spec.target))
            try context.store.recordSchemaChanges(
                report.changes.map {
                    SchemaChangeRecord(
                        runID: context.runID,
                        pipeline: context.pipeline,
                        date: context.date.description,
                        target: target,
                        table: spec.table,
                        change: $0,
                        createdAt: Timestamp.now()
                    )
                }
            )
        }
        var notes: [String] = []
        if report.updated > 0 { notes.append("\(report.updated) updated by key \(spec.key.joined(separator: "+"))") }
        if report.replaced > 0 { notes.append("replacing \(report.replaced) earlier rows of \(context.date)") }
        notes += report.notes
        var figures = [
            "inserted": report.inserted, "before": report.before, "after": report.after, "replaced": report.replaced,
            "updated": report.updated,
        ]
        let changed = report.changes.filter { $0.kind != .created }.count
        if changed > 0 { figures["schema_changes"] = changed }
        let written = report.inserted + report.updated
        return .pass(
            "\(Noun.count(report.inserted, "row")) into \(spec.table) (\(report.before) → \(report.after))\(notes.isEmpty ? "" : ", " + notes.joined(separator: ", "))",
            figures: figures,
            rows: RowDelta(read: artifact.rows ?? written, loaded: report.inserted, updated: report.updated)
        )
    }

    /// After a remediation loaded the rows, the load's own check: the ledger row is there and the table holds its rows.
    public func recheck(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        let (inTable, inLedger) = try await warehouse(in: context).verify(table: spec.table, runID: context.runID)
        guard let inLedger else { return .fail(.internal, "no ledger row for this run in \(spec.table)") }
        guard inTable == inLedger else {
            return .fail(
                .internal,
                "the ledger says this run wrote \(Noun.count(inLedger, "row")) to \(spec.table), but the table holds \(inTable) of them"
            )
        }
        return .pass("\(Noun.count(inTable, "row")) of this run in \(spec.table), as the ledger says")
    }

    var table: String { spec.table }
    var target: Template { spec.target }
    public var loadTarget: LoadTarget { LoadTarget(target: target, table: table) }
}

extension RunContext {
    /// The contract columns a load's table has besides the data's (see `TableDefinition.contract`).
    func contractDefinition(excluding present: Set<String>) -> [ColumnSpec] {
        TableDefinition.contract(playbook, skills: skillConfigs).filter { !present.contains($0.name) }
    }
}

extension WriteMode {
    var loadMode: LoadMode {
        switch self {
        case .append: return .append
        case .replace: return .replaceDate
        case .merge: return .merge
        }
    }
}

/// `upsert`: a load refused for keys already in the table (from another file) is loaded again as a merge on its key.
public struct Upsert: Remediation {
    public let config: SkillConfig

    public func remediate(_ failure: StepFailure, in context: RunContext) async throws -> SkillResult {
        guard let load = failure.skill as? any Loading else {
            return .fail(
                .internal,
                "upsert repairs a load step; '\(failure.input.stepName)' is a \(failure.skill.config.kind.rawValue) step"
            )
        }
        if failure.result.changedInput {
            return .fail(
                .constraintViolation,
                "a different input for a day already loaded is for on_changed_input (refuse, replace or merge) to decide, not for upsert"
            )
        }
        let artifact = try failure.input.requireArtifact()
        let warehouse = try load.warehouse(in: context)
        var result = try await load.load(
            artifact,
            mode: .merge,
            into: warehouse,
            for: failure.input,
            in: context
        )
        // The rows are loaded; the load's own check then verifies them against the ledger.
        if result.outcome == .pass { result.artifact = artifact }
        return result
    }
}

extension LoadSpec: StepSettings {
    public func makeSkill(_ config: SkillConfig) -> any Skill { LoadSkill(config: config, spec: self) }
}

extension UpsertSpec: RemediationSettings {
    public func makeRemediation(_ config: SkillConfig) -> any Remediation { Upsert(config: config) }
}
