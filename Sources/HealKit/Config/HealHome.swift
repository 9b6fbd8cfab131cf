import Foundation

/// The working folder: `playbooks/`, `skills/`, `metadata.db`, `staging/`, `quarantine/`, `alerts/`.
public struct HealHome: Sendable {
    public let root: URL

    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// `--home`, else `HEAL_HOME`, else the current folder.
    public static func resolve(_ option: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> HealHome {
        let path = option ?? environment["HEAL_HOME"] ?? FileManager.default.currentDirectoryPath
        return HealHome(root: URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath)))
    }

    public var playbooks: URL { root.appendingPathComponent("playbooks") }
    public var skills: URL { root.appendingPathComponent("skills") }
    public var metadata: URL { root.appendingPathComponent("metadata.db") }
    public var staging: URL { root.appendingPathComponent("staging") }
    public var quarantine: URL { root.appendingPathComponent("quarantine") }
    /// `metrics/heal.prom`: point node_exporter's textfile collector at `metrics/`.
    public var metricsFile: URL { root.appendingPathComponent("metrics").appendingPathComponent("heal.prom") }

    /// A path from a config: absolute as is, otherwise relative to the home folder.
    public func resolve(path: String) -> URL {
        if path.hasPrefix("file://"), let url = URL(string: path) { return url }
        if path.hasPrefix("/") { return URL(fileURLWithPath: path) }
        return root.appendingPathComponent(path)
    }

    /// The path as shown to a user: relative to the home folder when inside it.
    public func display(_ url: URL) -> String {
        let path = url.standardizedFileURL.path
        let base = root.path.hasSuffix("/") ? root.path : root.path + "/"
        return path.hasPrefix(base) ? String(path.dropFirst(base.count)) : path
    }
}

/// Every playbook and skill config of a home folder, decoded and cross-checked.
public struct ProjectConfig: Sendable {
    public var playbooks: [String: Playbook]
    public var skills: [String: SkillConfig]

    /// Loads everything; collects every problem instead of stopping at the first.
    public static func load(from home: HealHome) -> (ProjectConfig, [ConfigError]) {
        load(from: home, skillFiles: yamlFiles(in: home.skills), playbookFiles: yamlFiles(in: home.playbooks))
    }

    /// Loads one playbook and only the skill configs it names, so an unrelated file (huge, broken, half-edited)
    /// never slows or stops a run; `heal check` loads everything. An unknown name loads everything, for the hints.
    public static func load(from home: HealHome, pipeline: String) -> (ProjectConfig, [ConfigError]) {
        guard
            let file = ["yml", "yaml"].lazy.map({ home.playbooks.appendingPathComponent("\(pipeline).\($0)") })
                .first(where: { FileManager.default.fileExists(atPath: $0.path) })
        else { return load(from: home) }
        let (partial, errors) = load(from: home, skillFiles: [], playbookFiles: [file], crossCheck: false)
        guard let playbook = partial.playbooks[pipeline] else { return (partial, errors) }
        let named = Set(playbook.steps.flatMap { [$0.skill] + $0.onFailure.values.flatMap { $0 } })
        let skillFiles = yamlFiles(in: home.skills).filter { named.contains($0.deletingPathExtension().lastPathComponent) }
        return load(from: home, skillFiles: skillFiles, playbookFiles: [file])
    }

    static func load(
        from home: HealHome,
        skillFiles: [URL],
        playbookFiles: [URL],
        crossCheck checking: Bool = true
    ) -> (ProjectConfig, [ConfigError]) {
        var errors: [ConfigError] = []
        var skills: [String: SkillConfig] = [:]
        var playbooks: [String: Playbook] = [:]
        for url in skillFiles {
            let name = url.deletingPathExtension().lastPathComponent
            do {
                skills[name] = try SkillDecoder.decode(try read(url, home: home), name: name)
            } catch let error as ConfigError {
                errors.append(error)
            } catch {
                errors.append(ConfigError(file: home.display(url), line: 1, column: 1, message: "\(error)"))
            }
        }
        for url in playbookFiles {
            let name = url.deletingPathExtension().lastPathComponent
            do {
                let playbook = try PlaybookDecoder.decode(try read(url, home: home), name: name)
                if checking { errors += crossCheck(playbook, skills: skills) }
                playbooks[name] = playbook
            } catch let error as ConfigError {
                errors.append(error)
            } catch {
                errors.append(ConfigError(file: home.display(url), line: 1, column: 1, message: "\(error)"))
            }
        }
        return (ProjectConfig(playbooks: playbooks, skills: skills), errors)
    }

    /// A configuration file larger than this is refused unread: no real playbook or skill comes near it, and
    /// parsing a huge YAML document takes minutes.
    public static let maxFileBytes = 1 << 20

    static func yamlFiles(in folder: URL) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".yml") || $0.hasSuffix(".yaml") }.sorted().map { folder.appendingPathComponent($0) }
    }

    static func read(_ url: URL, home: HealHome) throws -> YAMLValue {
        let file = home.display(url)
        let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? 0
        if size > maxFileBytes {
            throw ConfigError(
                file: file,
                line: 1,
                column: 1,
                message: "the file is \(size) bytes, larger than the \(maxFileBytes) bytes a configuration file may have; it was not read"
            )
        }
        guard FileBytes.isRegularFile(url) else {
            throw ConfigError(file: file, line: 1, column: 1, message: "not a regular file; a configuration file must be one")
        }
        guard let data = FileManager.default.contents(atPath: url.path), let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: file, line: 1, column: 1, message: "cannot read the file as UTF-8 text")
        }
        return try YAMLValue.load(text: text, file: file)
    }

    /// Steps must name existing skills; remediations must name remediation skills.
    static func crossCheck(_ playbook: Playbook, skills: [String: SkillConfig]) -> [ConfigError] {
        var errors: [ConfigError] = []
        let names = skills.keys.sorted()
        for step in playbook.steps {
            func fail(_ message: String) {
                errors.append(ConfigError(file: playbook.file, line: step.line, column: step.column, message: message))
            }
            guard let skill = skills[step.skill] else {
                fail("step '\(step.name)': no skill config named '\(step.skill)' in skills/\(NearMiss.hint(for: step.skill, among: names))")
                continue
            }
            if skill.isRemediation {
                fail("step '\(step.name)': '\(step.skill)' is a \(skill.kind.rawValue) remediation; use it under on_failure, not as a step")
            }
            if skill.kind == FetchSpec.kind, let input = step.input {
                fail("step '\(step.name)': a fetch starts a source of its own and reads no input; remove 'input: \(input)'")
            }
            let earlier = playbook.steps.prefix { $0.name != step.name }.map(\.name)
            for name in skill.artifactSteps where !earlier.contains(name) {
                fail(
                    "step '\(step.name)': skill '\(step.skill)' reads {artifact.\(name)}, but no step named '\(name)' runs before it\(NearMiss.hint(for: name, among: earlier))"
                )
            }
            if let load = skill.settings(LoadSpec.self),
                let other = playbook.steps.prefix(while: { $0.name != step.name }).first(where: { earlierStep in
                    guard let spec = skills[earlierStep.skill]?.settings(LoadSpec.self) else { return false }
                    return spec.table == load.table && spec.target == load.target
                })
            {
                fail(
                    "step '\(step.name)': step '\(other.name)' already loads \(load.table) in \(load.target); each source loads a table of its own (its day is replaced and skipped as one)"
                )
            }
            if let transform = skill.settings(TransformSpec.self) {
                errors += ComputedTyping.check(transform, at: step, in: playbook, skills: skills)
            }
            for (failure, remedies) in step.onFailure.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
                for remedy in remedies {
                    guard let config = skills[remedy] else {
                        fail(
                            "step '\(step.name)', on_failure \(failure.rawValue): no skill config named '\(remedy)'\(NearMiss.hint(for: remedy, among: names))"
                        )
                        continue
                    }
                    if !config.isRemediation {
                        fail(
                            "step '\(step.name)', on_failure \(failure.rawValue): '\(remedy)' is a \(config.kind.rawValue) skill; expected a remediation (\(SkillRegistry.remediationNames))"
                        )
                    }
                }
            }
        }
        return errors
    }
}
