extension FailureClass {
    static func decode(_ value: YAMLValue) throws -> FailureClass {
        let text = try value.string("a failure class")
        guard let result = FailureClass(rawValue: text) else {
            let names = FailureClass.allCases.map(\.rawValue)
            throw value.error(
                "unknown failure class '\(text)'; expected one of \(names.joined(separator: ", "))\(NearMiss.hint(for: text, among: names))"
            )
        }
        return result
    }
}
