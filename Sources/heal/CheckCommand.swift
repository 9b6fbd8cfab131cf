import ArgumentParser
import Foundation
import HealKit

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Lint every playbook and skill config; errors name file:line:column. Exit 0 clean, 2 otherwise.")

    @OptionGroup var home: HomeOption

    func run() async throws {
        let home = home.resolved
        let (config, errors) = ProjectConfig.load(from: home)
        for error in errors { Console.error(error.description) }
        if config.playbooks.isEmpty && errors.isEmpty {
            Console.error("heal: no playbooks in \(home.display(home.playbooks)) (looked in \(home.root.path))")
            throw ExitCode(2)
        }
        if !errors.isEmpty {
            Console.error("\(errors.count) problem\(errors.count == 1 ? "" : "s") found")
            throw ExitCode(2)
        }
        print("ok: \(config.playbooks.count) playbook\(config.playbooks.count == 1 ? "" : "s"), \(config.skills.count) skill configs")
    }
}
