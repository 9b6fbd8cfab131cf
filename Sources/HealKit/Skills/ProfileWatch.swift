import Foundation

/// What a quality step does with profiles in its one pass: profiles each watched contract column of every
/// readable row (the few a quarantine then takes out do not move a profile), then compares them with the
/// column's accepted history.
final class ProfileWatch {
    let policy: DriftPolicy
    private let profilers: [(index: Int, profiler: ColumnProfiler)]
    private let indexes: [Int]

    init(policy: DriftPolicy, profilers: [(Int, ColumnProfiler)]) {
        self.policy = policy
        self.profilers = profilers
        indexes = profilers.map(\.0)
    }

    /// The watch for a file with this header; nil when nothing is watched (drift off, a release, no contract).
    static func make(header: [String], artifact: Artifact, policy: DriftPolicy, input: StepInput, context: RunContext) -> ProfileWatch? {
        guard policy.enabled, !context.mode.isRelease else { return nil }
        let contract = context.contractColumns
        var profilers: [(Int, ColumnProfiler)] = []
        let lookups = context.lookupKeys(for: input)
        for (i, name) in header.enumerated() where policy.watches(name) {
            guard let declared = contract[name] else { continue }
            let spec = artifact.columns?.first { $0.name == name } ?? declared
            let lookup = lookups.first { $0.column == name || SnakeCase.convert(name) == $0.column }
            profilers.append((i, ColumnProfiler(column: spec, date: context.date, lookup: lookup)))
        }
        return profilers.isEmpty ? nil : ProfileWatch(policy: policy, profilers: profilers)
    }

    private var seen = 0
    /// Every row up to this many, then every `stride`-th: a systematic sample that keeps a large file's profile
    /// within 10 % of the run's time (a share or a median of 100,000 rows says what all of them would).
    static let fullRows = 131_072
    static let stride = 8

    @inline(__always)
    func add(_ row: RowView) {
        seen += 1
        guard seen <= Self.fullRows || seen % Self.stride == 0 else { return }
        for (index, profiler) in profilers { profiler.add(row[index].trimmed) }
    }

    var profiles: [ColumnProfile] { profilers.map(\.profiler.profile) }

    /// Every watched column against its history.
    struct Verdict {
        var departures: [Departure] = []
        /// Accepted days the thinnest history had; 0 before any.
        var days = 0
        var evidence: [String] = []
        var judged = false
    }

    func verdict(_ profiles: [ColumnProfile], step: String, context: RunContext) throws -> Verdict {
        let judge = DriftJudge(policy: policy, date: context.date, proposal: context.judgingProposal)
        let needed = context.judgingProposal ? 1 : policy.minDays
        var verdict = Verdict()
        var thinnest = Int.max
        var judgedColumns: [String] = []
        for profile in profiles {
            let baseline = try context.store.baseline(
                pipeline: context.pipeline,
                step: step,
                column: profile.column,
                before: context.date.description,
                days: policy.history
            )
            thinnest = min(thinnest, baseline.days.count)
            guard baseline.days.count >= needed else { continue }
            judgedColumns.append(profile.column)
            let found = judge.departures(profile, from: baseline)
            verdict.departures += found
            if found.isEmpty {
                verdict.evidence.append("\(profile.column): \(ProfileText.brief(profile, date: context.date)), like \(baseline.span)")
            }
        }
        verdict.days = thinnest == Int.max ? 0 : thinnest
        verdict.judged = !judgedColumns.isEmpty
        if !verdict.judged {
            let have = verdict.days == 0 ? "no accepted day yet" : "\(Noun.count(verdict.days, "accepted day"))"
            verdict.evidence = ["no profile history to judge on (\(have); the watch starts at \(needed)): judged on the checks alone"]
        }
        return verdict
    }
}

extension RunContext {
    /// Every contract column of the playbook's `validate_schema` steps, by name.
    var contractColumns: [String: ColumnSpec] {
        var out: [String: ColumnSpec] = [:]
        for step in playbook.steps {
            guard let contract = skillConfigs[step.skill]?.settings(ContractSpec.self) else { continue }
            for column in contract.columns where out[column.name] == nil { out[column.name] = column }
        }
        return out
    }

    /// The key sets of the playbook's lookup joins; a table that cannot be read now is left out (the transform
    /// that joins it reports that).
    func lookupKeys(for input: StepInput) -> [LookupKeys] {
        var out: [LookupKeys] = []
        for step in playbook.steps {
            guard let spec = skillConfigs[step.skill]?.settings(TransformSpec.self), let lookup = spec.lookup,
                let path = try? renderPath(lookup.file, for: input)
            else { continue }
            if let keys = try? LookupKeys.read(home.resolve(path: path), column: lookup.key) { out.append(keys) }
        }
        return out
    }
}
