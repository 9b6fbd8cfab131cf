import Foundation

public struct CommandSpec: Sendable {
    public var run: [Template]
    public var timeoutSeconds: Int = 300
}

extension CommandSpec: YAMLSettings {
    public static let kind: SkillKind = "command"

    static func decode(_ root: YAMLValue) throws -> CommandSpec {
        let map = try root.map(allowed: ["kind", "run", "timeout_seconds"])
        let runValue = try map.required("run", "the program and its arguments, as a list")
        let run: [Template]
        if case .scalar = runValue.node {
            run = [try runValue.template("a program")]
        } else {
            run = try runValue.list().map { try $0.template("an argument") }
        }
        if run.isEmpty { throw runValue.error("expected the program to run") }
        var spec = CommandSpec(run: run)
        if let v = map["timeout_seconds"] { spec.timeoutSeconds = try v.int("seconds", range: 1...86_400) }
        return spec
    }

    public var artifactSteps: [String] { run.flatMap(\.artifactSteps) }
}
