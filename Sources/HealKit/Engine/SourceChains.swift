import Foundation

/// Which source each step of a playbook works on. A fetch starts a source of its own, a step with `input:`
/// joins the named step's source, and any other step continues the source of the step before it.
///
/// Sources are accounted, skipped and watermarked apart: the sales API and the inventory API in one playbook
/// each balance their own rows, and a night when one is already loaded still loads the other.
public struct SourceChains: Sendable {
    /// The step that starts each step's source (its fetch, or the playbook's first step), by step index.
    public let root: [String]
    /// Sources with a load step: their rows are the run's rows. The others are reference tables
    /// (an enrichment file a transform looks up), balanced on their own but not counted as read.
    public let loaded: Set<String>

    public init(playbook: Playbook, skills: [String: SkillConfig]) {
        var root: [String] = []
        var loaded: Set<String> = []
        for (index, step) in playbook.steps.enumerated() {
            let kind = skills[step.skill]?.kind
            let source: String
            if kind == FetchSpec.kind || index == 0 {
                source = step.name
            } else if let input = step.input, let from = playbook.steps.firstIndex(where: { $0.name == input }), from < index {
                source = root[from]
            } else {
                source = root[index - 1]
            }
            root.append(source)
            if kind == LoadSpec.kind { loaded.insert(source) }
        }
        self.root = root
        self.loaded = loaded
    }

    /// Every source, in the order its first step runs.
    public var sources: [String] {
        var seen: Set<String> = []
        return root.filter { seen.insert($0).inserted }
    }

    /// The indexes of the steps that work on one source.
    public func steps(of source: String) -> [Int] {
        root.indices.filter { root[$0] == source }
    }
}
