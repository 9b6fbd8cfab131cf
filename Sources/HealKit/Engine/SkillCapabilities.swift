import Foundation

// What the executor, the remediations and a release ask of a skill, instead of its type (as swift-argument-parser
// asks a property for `ArgumentSetProvider`, never for a concrete argument type). A new kind adopts what it can do.

/// A step that writes rows to a warehouse: the run's load, what `upsert` repeats as a merge, what a release replays.
public protocol Loading: Skill {
    /// Where the rows go, for the health check after the load.
    var loadTarget: LoadTarget { get }
    /// The ledger row of an earlier load of this same input into this target, or nil.
    func priorLoad(sourceSHA256: String, in context: RunContext) async throws -> LedgerEntry?
    func warehouse(in context: RunContext) throws -> any Warehouse
    /// Whether the load reads its rows once, in order, so they may come from a stream with no file behind it.
    var readsStreamedRows: Bool { get }
    /// Writes `artifact` (the input's, or a repair of it) in `mode`; the input gives the source's sha256 for the
    /// ledger and the rows the accounting expects.
    func load(
        _ artifact: Artifact,
        mode: LoadMode,
        into warehouse: any Warehouse,
        for input: StepInput,
        in context: RunContext
    ) async throws -> SkillResult
}

/// A step whose output begins a source: that file's sha256 names the source in the load ledger, and a source already
/// loaded from it is skipped.
public protocol SourceStarting: Skill {}

/// A step that reshapes rows (trims, casts, dedupes, joins); a release runs it on released rows as the night did.
public protocol RowShaping: Skill {}

/// A reshaping step that can hand its rows straight to the load after it instead of staging a file, so on a night
/// where both pass one read does the work of two (see `RunPass.fused`).
public protocol RowStreaming: RowShaping {
    /// The step's output over `input`, made as `next` reads it.
    func stream(_ input: StepInput, into next: String, in context: RunContext) throws -> any JudgedRowStream
}

/// A stream whose step's verdict is known once its last row is read: the step passes only if the verdict does.
public protocol JudgedRowStream: RowStream {
    /// The typed columns of the rows, in order: the load's columns.
    var columns: [ColumnSpec] { get }
    /// The step's result, nil until the stream has been read to its end.
    var verdict: SkillResult? { get }
    /// The time spent making the rows: the step's own share of a fused pass.
    var busy: Duration { get }
}

/// A step that does not read the file before it (a health check, a query against the warehouse): a fused pass,
/// which stages no file for the load, may still run it after the load.
public protocol ReadsNoInput: Skill {}

/// A check that holds the file's contract: schema repair maps a header onto it, a release types released rows by it.
public protocol ContractChecking: RowChecking {
    var contract: ContractSpec { get }
    /// The contract's typed columns for the names of `header` it declares.
    func typedColumns(_ header: [String]) -> [ColumnSpec]
}

extension Skill {
    /// Whether a quarantine release runs this step on released rows: checks of single rows, reshaping, and loads.
    /// Fetches, whole-file checks and health checks belong to the night's file, not to the rows a person released.
    public var isReplayedOnRelease: Bool { self is any RowChecking || self is any RowShaping || self is any Loading }
}
