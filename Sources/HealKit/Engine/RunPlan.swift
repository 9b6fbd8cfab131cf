import Foundation

/// What a run can do before any step runs, worked out from the playbook and its skills: which reshaping step hands
/// its rows straight to the load after it (`RunPass.fused`), so that neither stages nor re-reads a file.
struct RunPlan {
    /// A reshaping step's index → the index of the load that reads its rows as they are made.
    let fusions: [Int: Int]

    init(playbook: Playbook, skills: [any Skill], chains: SourceChains, configs: [String: SkillConfig]) {
        var fusions: [Int: Int] = [:]
        let steps = playbook.steps
        // Files named with `{artifact.STEP}` by the playbook's skills and remediations must be staged.
        let remedies = steps.flatMap { $0.onFailure.values.joined() }.compactMap { configs[$0] }
        let named = Set((skills.map(\.config) + remedies).flatMap(\.artifactSteps))
        for index in steps.indices.dropLast() where skills[index] is any RowStreaming {
            let next = index + 1
            guard let load = skills[next] as? any Loading, load.readsStreamedRows,
                steps[next].input == nil || steps[next].input == steps[index].name,
                chains.root[next] == chains.root[index]
            else { continue }
            // No file is staged for the two steps: every later step that would read theirs must read none.
            let fused: Set<String> = [steps[index].name, steps[next].name]
            let laterReaders = steps.indices.dropFirst(next + 1).filter { later in
                fused.contains(steps[later].input ?? steps[later - 1].name)
            }
            guard laterReaders.allSatisfy({ skills[$0] is any ReadsNoInput }), named.isDisjoint(with: fused) else { continue }
            fusions[index] = next
        }
        self.fusions = fusions
    }
}
