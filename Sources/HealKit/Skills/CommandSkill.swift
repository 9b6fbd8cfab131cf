import Foundation

/// `command`: an external program; exit code 0 is pass, JSON on stdout gives details, figures and a failure class.
public struct CommandSkill: Skill {
    public let config: SkillConfig
    let spec: CommandSpec

    public func run(_ input: StepInput, in context: RunContext) async throws -> SkillResult {
        let arguments = try spec.run.map { try context.render($0) }
        let process = Process()
        if arguments[0].contains("/") {
            process.executableURL = context.home.resolve(path: arguments[0])
            process.arguments = Array(arguments.dropFirst())
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = arguments
        }
        process.currentDirectoryURL = context.home.root
        var environment = ProcessInfo.processInfo.environment
        environment["HEAL_PIPELINE"] = context.pipeline
        environment["HEAL_DATE"] = context.date.description
        environment["HEAL_RUN_ID"] = context.runID
        environment["HEAL_ARTIFACT"] = input.artifact?.url.path ?? ""
        process.environment = environment
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch {
            return .fail(.internal, "cannot start \(arguments[0]): \(error.localizedDescription)")
        }
        let outputTask = Task.detached { stdout.fileHandleForReading.readDataToEndOfFile() }
        let errorTask = Task.detached { stderr.fileHandleForReading.readDataToEndOfFile() }
        let deadline = ContinuousClock.now + .seconds(spec.timeoutSeconds)
        while process.isRunning {
            if ContinuousClock.now > deadline {
                process.terminate()
                return .fail(.transient, "\(arguments[0]) ran longer than \(spec.timeoutSeconds) s and was stopped")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let output = await outputTask.value
        let errorText = String(decoding: await errorTask.value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        let report = CommandReport(output)
        let status = process.terminationStatus
        if status == 0 {
            return .pass(report.details ?? "\(arguments[0]) exited 0", figures: report.figures)
        }
        let details = report.details ?? (errorText.isEmpty ? "\(arguments[0]) exited \(status)" : "\(arguments[0]) exited \(status): \(errorText.suffix(500))")
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
