import Foundation

/// Deterministic proposals from names, aliases, edit distance and the types of sample values.
///
/// When two candidates for a column are close, it proposes nothing rather than guess.
public struct HeuristicProposer: Proposer {
    public var name: String { "heuristic" }

    /// Date patterns producers are seen to switch to.
    static let knownDateFormats = ["yyyy-MM-dd", "MM/dd/yyyy", "dd/MM/yyyy", "dd.MM.yyyy", "yyyyMMdd", "dd-MM-yyyy",
                                   "MM-dd-yyyy", "yyyy/MM/dd", "yyyy.MM.dd"].compactMap { DateFormat($0) }

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

    func plan(_ request: RepairRequest) throws(RepairRejection) -> SchemaRepair {
        let contract = request.contract
        let contractNames = Set(contract.columns.map(\.name))
        var operations: [RepairOperation] = []
        var names = request.header
        var free = Set(request.header.filter { !contractNames.contains($0) })
        var why: [String] = []
        for column in contract.columns where !names.contains(column.name) {
            let scored = free.map { ($0, score(observed: $0, column: column, request: request)) }.sorted { $0.1 > $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
            guard let best = scored.first, best.1 >= 0.6 else {
                if column.required { throw RepairRejection("no column of the file looks like '\(column.name)'") }
                continue
            }
            if scored.count > 1, scored[1].1 > best.1 - 0.15 {
                throw RepairRejection("'\(column.name)' could be '\(best.0)' or '\(scored[1].0)'; not guessing")
            }
            operations.append(.rename(from: best.0, to: column.name))
            why.append("\(best.0)→\(column.name)")
            free.remove(best.0)
            names[names.firstIndex(of: best.0)!] = column.name
        }
        for column in contract.columns {
            guard let index = names.firstIndex(of: column.name) else { continue }
            let values = request.samples.compactMap { index < $0.count ? Text.trim($0[index]) : nil }.filter { !$0.isEmpty }
            guard !values.isEmpty else { continue }
            let fits = values.filter { ValueParser.accepts($0, as: column) }.count
            guard Double(fits) / Double(values.count) < 0.8 else { continue }
            if column.type == .date {
                let format = try dateFormat(for: column.name, values: values)
                operations.append(.cast(column: column.name, type: .date, format: format.pattern))
                why.append("\(column.name) dates as \(format.pattern)")
            } else if column.type == .decimal {
                let converted = values.filter { ValueParser.isDecimal(RepairApplier.fromDecimalComma($0)) }
                if Double(converted.count) / Double(values.count) >= 0.95 {
                    operations.append(.cast(column: column.name, type: .decimal, format: RepairApplier.decimalComma))
                    why.append("\(column.name) with a decimal comma")
                }
            }
        }
        if !contract.allowExtraColumns {
            for extra in free { operations.append(.drop(column: extra)) }
        }
        return SchemaRepair(operations: operations, confidence: 0.9, rationale: why.joined(separator: ", "))
    }

    /// Names (normalised), aliases and token similarity, discounted when the sample values do not fit the type.
    func score(observed: String, column: ColumnSpec, request: RepairRequest) -> Double {
        let o = Self.normalise(observed), c = Self.normalise(column.name)
        var score: Double
        if o == c {
            score = 1
        } else if column.aliases.map(Self.normalise).contains(o) {
            score = 0.95
        } else {
            let a = Set(SnakeCase.convert(observed).split(separator: "_")), b = Set(SnakeCase.convert(column.name).split(separator: "_"))
            let jaccard = Double(a.intersection(b).count) / Double(max(1, a.union(b).count))
            let coverage = Double(a.intersection(b).count) / Double(max(1, b.count)) * 0.9
            let edit = 1 - Double(NearMiss.distance(o, c)) / Double(max(o.count, c.count, 1))
            score = max(jaccard, edit, coverage) * 0.8
        }
        guard let index = request.header.firstIndex(of: observed) else { return 0 }
        let values = request.samples.compactMap { index < $0.count ? Text.trim($0[index]) : nil }.filter { !$0.isEmpty }
        if !values.isEmpty, column.type != .string, column.type != .date {
            let fits = values.filter { ValueParser.accepts($0, as: column) }.count
            if Double(fits) / Double(values.count) < 0.8 { score *= 0.3 }
        }
        return score
    }

    static func normalise(_ name: String) -> String {
        SnakeCase.convert(name).replacingOccurrences(of: "_", with: "")
    }

    /// The one known format that reads every sample, or a rejection when none or several disagree.
    func dateFormat(for column: String, values: [String]) throws(RepairRejection) -> DateFormat {
        var readings: [(DateFormat, [CalendarDate])] = []
        for format in Self.knownDateFormats {
            let dates = values.compactMap { CalendarDate.parse($0, format: format) }
            if dates.count == values.count { readings.append((format, dates)) }
        }
        guard let first = readings.first else { throw RepairRejection("the dates in '\(column)' match no known format (e.g. \(Text.quoted(values[0])))") }
        if readings.contains(where: { $0.1 != first.1 }) {
            throw RepairRejection("the dates in '\(column)' read as \(readings.map(\.0.pattern).joined(separator: " or ")); not guessing")
        }
        return first.0
    }
}
