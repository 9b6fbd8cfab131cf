import Foundation

/// The columns a pipeline's table should have, read from its playbook: the contract's, then the transform's
/// lookup and computed columns, each with where it comes from.
public enum TableDefinition {
    /// Every `validate_schema` step's columns, named as a `snake_case_names` transform names them.
    public static func contract(_ playbook: Playbook, skills: [String: SkillConfig]) -> [ColumnSpec] {
        let snake = playbook.steps.contains { step in
            if let spec = skills[step.skill]?.settings(TransformSpec.self) { return spec.snakeCaseNames }
            return false
        }
        var out: [ColumnSpec] = []
        for step in playbook.steps {
            guard let contract = skills[step.skill]?.settings(ContractSpec.self) else { continue }
            for var column in contract.columns {
                if snake { column.name = SnakeCase.convert(column.name) }
                guard !out.contains(where: { $0.name == column.name }) else { continue }
                column.origin = .contract(skill: step.skill)
                out.append(column)
            }
        }
        return out
    }

    /// The contract's columns and the transform's, in load order.
    public static func expected(_ playbook: Playbook, skills: [String: SkillConfig]) -> [ColumnSpec] {
        var out = contract(playbook, skills: skills)
        for step in playbook.steps {
            guard let spec = skills[step.skill]?.settings(TransformSpec.self) else { continue }
            for name in spec.lookup?.columns ?? [] where !out.contains(where: { $0.name == name }) {
                var column = ColumnSpec(name: name, required: false)
                column.origin = .lookup(skill: step.skill)
                out.append(column)
            }
            for computed in spec.computed {
                let column = computed.outputColumn(reading: out, skill: step.skill)
                if let i = out.firstIndex(where: { $0.name == computed.name }) { out[i] = column } else { out.append(column) }
            }
        }
        return out
    }
}
