import Foundation

/// Deterministic proposals from names (abbreviations, synonyms, words gained or lost, spelling), the types of the
/// values, and the readings format drift moved them to.
///
/// When two candidates are close — for a column, or for a file column — it proposes nothing rather than guess.
public struct HeuristicProposer: Proposer {
    public var name: String { "heuristic" }

    public init() {}

    public func propose(_ request: RepairRequest, in context: RunContext) async -> ProposerAnswer {
        do {
            let repair = try plan(request)
            guard !repair.operations.isEmpty else { return .nothing("found nothing to change", ProposalUsage()) }
            return .proposal(repair, ProposalUsage())
        } catch {
            return .nothing(error.reason, ProposalUsage())
        }
    }

    /// Scores below this are no evidence; a rival within `margin` of the best makes the choice a guess.
    static let threshold = 0.6
    static let margin = 0.15

    func plan(_ request: RepairRequest) throws(RepairRejection) -> SchemaRepair {
        let evidence = ValueEvidence(request)
        let contract = request.contract
        let contractNames = Set(contract.columns.map(\.name))
        var operations: [RepairOperation] = []
        var names = request.header
        var why: [String] = []
        let missing = contract.columns.filter { !request.header.contains($0.name) }
        var free = request.header.filter { !contractNames.contains($0) }
        // Every (missing column, free file column) pair, best first; each accepted pair must be clearly best both ways.
        var pairs: [(column: ColumnSpec, observed: String, score: Double)] = []
        for column in missing {
            for observed in free { pairs.append((column, observed, score(observed: observed, column: column, evidence: evidence))) }
        }
        pairs.sort { $0.score > $1.score || ($0.score == $1.score && ($0.column.name, $0.observed) < ($1.column.name, $1.observed)) }
        var mapped: Set<String> = []
        for pair in pairs where pair.score >= Self.threshold && !mapped.contains(pair.column.name) && free.contains(pair.observed) {
            let rivalsForColumn = pairs.filter {
                $0.column.name == pair.column.name && $0.observed != pair.observed && free.contains($0.observed)
            }
            if let rival = rivalsForColumn.first, rival.score > pair.score - Self.margin {
                throw RepairRejection("'\(pair.column.name)' could be '\(pair.observed)' or '\(rival.observed)'; not guessing")
            }
            let rivalsForFile = pairs.filter {
                $0.observed == pair.observed && $0.column.name != pair.column.name && !mapped.contains($0.column.name)
            }
            if let rival = rivalsForFile.first, rival.score > pair.score - Self.margin {
                throw RepairRejection("'\(pair.observed)' could be '\(pair.column.name)' or '\(rival.column.name)'; not guessing")
            }
            operations.append(.rename(from: pair.observed, to: pair.column.name))
            let index = request.header.firstIndex(of: pair.observed)!
            why.append(
                evidence.resemblance(index, pair.column).map { "\(pair.observed) → \(pair.column.name): \($0.evidence)" }
                    ?? "\(pair.observed)→\(pair.column.name)"
            )
            mapped.insert(pair.column.name)
            free.removeAll { $0 == pair.observed }
            names[names.firstIndex(of: pair.observed)!] = pair.column.name
        }
        if let unmatched = missing.first(where: { $0.required && !mapped.contains($0.name) }) {
            throw RepairRejection("no column of the file looks like '\(unmatched.name)'")
        }
        for column in contract.columns {
            guard let index = names.firstIndex(of: column.name), index < request.columnValues.count else { continue }
            let (values, failing) = evidence.failing(index, column)
            guard ReadingInference.isDrift(failing: failing, values: values) else { continue }
            switch evidence.inference(index, column) {
            case .reading(let reading, let reads):
                operations.append(.cast(column: column.name, type: column.type, format: reading.format))
                why.append("\(column.name): \(reads) of \(Noun.count(values, "value")) read as \(reading)")
            case .ambiguous(let reason):
                throw RepairRejection("\(column.name) reads two ways: \(reason); not guessing")
            case .none:
                continue
            }
        }
        if !contract.allowExtraColumns {
            for extra in free { operations.append(.drop(column: extra)) }
        }
        return SchemaRepair(operations: operations, confidence: 0.9, rationale: why.joined(separator: "; "))
    }

    /// Name evidence and, once the column has history, value evidence together: values like the column's history
    /// carry a pair on their own (up to 0.85) and add to a name that agrees; values unlike it sink any name.
    /// Before any history, the name alone, discounted when the values fit neither the type nor a reading of it.
    func score(observed: String, column: ColumnSpec, evidence: ValueEvidence) -> Double {
        let name = ColumnNames.similarity(observed, column)
        if let index = evidence.request.header.firstIndex(of: observed), let values = evidence.resemblance(index, column) {
            if values.score < 0.3 { return name * 0.3 }
            return max(name, 0.85 * values.score) + 0.2 * min(name, values.score)
        }
        var score = name
        // The values can only lower a score; one already below the threshold needs no reading of them.
        guard score >= Self.threshold else { return score }
        guard let index = evidence.request.header.firstIndex(of: observed), index < evidence.request.columnValues.count else { return 0 }
        let (values, failing) = evidence.failing(index, column)
        if values > 0, column.type != .string {
            var fits = values - failing
            if failing > 0, case .reading(_, let reads) = evidence.inference(index, column) { fits += reads }
            if Double(fits) / Double(values) < 0.8 { score *= 0.3 }
        }
        return score
    }
}

/// What a file column's values say about a contract column: which fail its type, and which reading they share.
/// Worked out once per pair, since every pair of a wide header is scored.
final class ValueEvidence {
    let request: RepairRequest
    private var failures: [String: [String]] = [:]
    private var inferences: [String: ReadingInference] = [:]

    init(_ request: RepairRequest) { self.request = request }

    private func key(_ index: Int, _ column: ColumnSpec) -> String { "\(index)\u{1F}\(column.name)" }

    private func failingValues(_ index: Int, _ column: ColumnSpec) -> [String] {
        if let known = failures[key(index, column)] { return known }
        let check = ValueCheck(column)
        let failing = request.columnValues[index].filter { value in
            var value = value
            return !value.withUTF8 { check.accepts(FieldBytes($0)) }
        }
        failures[key(index, column)] = failing
        return failing
    }

    /// Non-empty values of the file column, and how many fail the contract column's type.
    func failing(_ index: Int, _ column: ColumnSpec) -> (values: Int, failing: Int) {
        (request.columnValues[index].count, failingValues(index, column).count)
    }

    private var resemblances: [String: ValueResemblance?] = [:]

    /// The file column's values against the contract column's history; nil with no history or nothing to tell by.
    func resemblance(_ index: Int, _ column: ColumnSpec) -> ValueResemblance? {
        guard let baseline = request.baselines[column.name], index < request.columnValues.count else { return nil }
        if let known = resemblances[key(index, column)] { return known }
        var reading: CastReading?
        if case .reading(let r, _) = inference(index, column) { reading = r }
        let lookup = request.lookups.first { $0.column == column.name || $0.column == SnakeCase.convert(column.name) }
        let found = ValueResemblance.judge(
            request.columnValues[index].prefix(ValueResemblance.sample),
            as: column,
            reading: reading,
            baseline: baseline,
            lookup: lookup,
            date: request.date
        )
        resemblances[key(index, column)] = .some(found)
        return found
    }

    func inference(_ index: Int, _ column: ColumnSpec) -> ReadingInference {
        if let known = inferences[key(index, column)] { return known }
        let inference = ReadingInference.infer(failingValues(index, column), for: column)
        inferences[key(index, column)] = inference
        return inference
    }
}
