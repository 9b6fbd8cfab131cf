import Foundation

/// What a proposer is shown: the contract, the file's header, the failure and a few sample rows.
public struct RepairRequest: Sendable {
    public var pipeline: String
    public var skill: String
    public var contract: ContractSpec
    public var header: [String]
    public var failure: String
    /// Up to 200 rows for local proposers; the model sees at most 20, with values truncated.
    public var samples: [[String]]
    /// Per file column, its first non-empty values (at most `RepairRequest.valuesPerColumn`): the evidence for
    /// types and readings, drawn from more rows than the samples.
    public var columnValues: [[String]]
    public static let valuesPerColumn = 5_000
    /// Per contract column, its accepted history (kept by the quality step that watches it); empty before any.
    public var baselines: [String: ProfileBaseline] = [:]
    /// The playbook's enrichment tables' keys, so a lookup key is recognised by what it matches.
    public var lookups: [LookupKeys] = []
    /// The run's date: date columns are compared as days from it.
    public var date = CalendarDate(year: 1970, month: 1, day: 1)!

    public init(
        pipeline: String,
        skill: String,
        contract: ContractSpec,
        header: [String],
        failure: String,
        samples: [[String]],
        columnValues: [[String]]? = nil
    ) {
        self.pipeline = pipeline
        self.skill = skill
        self.contract = contract
        self.header = header
        self.failure = failure
        self.samples = samples
        self.columnValues =
            columnValues
            ?? header.indices.map { i in
                samples.compactMap { i < $0.count ? Text.trim($0[i]) : nil }.filter { !$0.isEmpty }
            }
    }

    /// Same header and same contract → same fingerprint: the key of learned mappings.
    public var fingerprint: String {
        FileDigest.sha256(of: Data((header.joined(separator: "\u{1F}") + "\u{1E}" + contract.version).utf8))
    }
}

/// Cost and provenance of one proposal.
public struct ProposalUsage: Sendable {
    public var promptBytes = 0
    public var inputTokens = 0
    public var outputTokens = 0
    public var latencyMs = 0
    public var requestID: String?

    public init() {}
}

public enum ProposerAnswer: Sendable {
    case proposal(SchemaRepair, ProposalUsage)
    /// No proposal, and why (nothing learned, ambiguous, no key, budget spent, the model declined …).
    case nothing(String, ProposalUsage)
}

/// A source of schema repairs: learned, heuristic, Claude. Every answer is checked by the gate.
public protocol Proposer: Sendable {
    var name: String { get }
    func propose(_ request: RepairRequest, in context: RunContext) async -> ProposerAnswer
}

/// Replays an accepted mapping for the same header and contract: no model call.
public struct LearnedProposer: Proposer {
    public var name: String { "learned" }

    public func propose(_ request: RepairRequest, in context: RunContext) async -> ProposerAnswer {
        guard let stored = try? context.store.mapping(fingerprint: request.fingerprint) else {
            return .nothing("no mapping learned for this header and contract", ProposalUsage())
        }
        if stored.status == .rejected {
            return .nothing(
                "mapping \(stored.id ?? 0) for this header was rejected by a person (heal mappings show \(stored.id ?? 0))",
                ProposalUsage()
            )
        }
        do {
            return .proposal(try SchemaRepair.parse(stored.mapping), ProposalUsage())
        } catch {
            return .nothing("the stored mapping \(stored.id ?? 0) no longer parses: \(error.reason)", ProposalUsage())
        }
    }
}
