import Foundation

/// Types a transform's computed columns against the contract before it, for `heal check` and every run: an
/// expression that cannot be evaluated is a positioned error, not a column of NULLs.
enum ComputedTyping {
    static func check(_ transform: TransformSpec, at step: Step, in playbook: Playbook, skills: [String: SkillConfig]) -> [ConfigError] {
        guard !transform.computed.isEmpty else { return [] }
        var contracts: [String] = []
        var types: [String: ColumnType] = [:]
        for earlier in playbook.steps.prefix(while: { $0.name != step.name }) {
            guard let contract = skills[earlier.skill]?.settings(ContractSpec.self) else { continue }
            contracts.append("skills/\(earlier.skill).yml")
            for column in contract.columns {
                let name = transform.snakeCaseNames ? SnakeCase.convert(column.name) : column.name
                if types[name] == nil { types[name] = column.type }
            }
        }
        // Without a contract the file's columns are unknown until the run: nothing to type against.
        guard !contracts.isEmpty else { return [] }
        for name in transform.lookup?.columns ?? [] where types[name] == nil { types[name] = .string }
        var errors: [ConfigError] = []
        for computed in transform.computed {
            let typing = ExpressionTyping(columns: types, known: "the contract (\(contracts.joined(separator: ", "))) or the lookup")
            do {
                let type = try typing.type(of: computed.expression)
                if let type, !computed.type.holds(type) {
                    errors.append(
                        ConfigError(
                            file: computed.file,
                            line: computed.line,
                            column: computed.column,
                            message:
                                "computed column '\(computed.name)' is declared \(computed.type.rawValue) but \(computed.expression) is \(ExpressionTyping.a(type)); declare type: \(type.rawValue)"
                        )
                    )
                }
            } catch {
                errors.append(
                    ConfigError(
                        file: computed.file,
                        line: computed.line,
                        column: computed.column + error.offset,
                        message: "computed column '\(computed.name)': \(error.message)"
                    )
                )
            }
            types[computed.name] = computed.type
        }
        return errors
    }
}
