import Foundation

/// `command`: an external program; exit code 0 is pass, JSON on stdout gives details, figures and a failure class.
public struct CommandSkill: Skill {
    public let config: SkillConfig
    let spec: CommandSpec

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        let arguments = try spec.run.map { try context.render($0, for: input) }
        let environment: [String: String?] = [
            "HEAL_PIPELINE": context.pipeline, "HEAL_DATE": context.date.description,
            "HEAL_RUN_ID": context.runID, "HEAL_ARTIFACT": input.artifact?.url.path ?? "",
        ]
        let outcome: ChildProcess.Outcome
        do {
            outcome = try await ChildProcess.run(
                arguments[0],
                Array(arguments.dropFirst()),
                in: context.home.root,
                environment: environment,
                timeout: .seconds(spec.timeoutSeconds)
            )
        } catch is ChildProcess.TimedOut {
            return .fail(.transient, "\(arguments[0]) ran longer than \(spec.timeoutSeconds) s and was stopped")
        } catch {
            return .fail(.internal, "cannot run \(arguments[0]): \(error)")
        }
        let report = CommandReport(Data(outcome.stdout.utf8))
        let errorText = outcome.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
        if outcome.status == 0 {
            return .pass(report.details ?? "\(arguments[0]) exited 0", figures: report.figures)
        }
        let how = outcome.status.map { "exited \($0)" } ?? "was killed by a signal"
        let details = report.details ?? (errorText.isEmpty ? "\(arguments[0]) \(how)" : "\(arguments[0]) \(how): \(errorText.suffix(500))")
        return .fail(report.failureClass ?? .internal, details, figures: report.figures)
    }
}

/// The optional JSON a command prints: `{"details": "...", "figures": {"rows": 3}, "failure_class": "transient"}`.
struct CommandReport {
    var details: String?
    var figures: [String: Int] = [:]
    var failureClass: FailureClass?

    init(_ data: Data) {
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return }
        details = object["details"] as? String
        if let figures = object["figures"] as? [String: Any] {
            for (key, value) in figures {
                if let number = value as? NSNumber { self.figures[key] = number.intValue }
            }
        }
        failureClass = (object["failure_class"] as? String).flatMap(FailureClass.init(rawValue:))
    }
}

extension CommandSpec: StepSettings {
    public func makeSkill(_ config: SkillConfig) -> any Skill { CommandSkill(config: config, spec: self) }
}
