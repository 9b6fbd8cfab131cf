import Yams

/// A YAML node with its file, decoded strictly: every error names file:line:column.
///
/// Yams' Codable decoder loses positions for type and missing-key errors, so configs are read from nodes.
struct YAMLValue {
    let node: Node
    let file: String

    var line: Int { node.mark?.line ?? 1 }
    var column: Int { node.mark?.column ?? 1 }

    func error(_ message: String) -> ConfigError {
        ConfigError(file: file, line: line, column: column, message: message)
    }

    static func load(text: String, file: String) throws -> YAMLValue {
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ConfigError(file: file, line: 1, column: 1, message: "the file is empty; expected a mapping of settings")
            }
            return YAMLValue(node: node, file: file)
        } catch let error as YamlError {
            throw YAMLValue.configError(error, file: file)
        }
    }

    static func configError(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let prefix = context.map { "\($0.text) " } ?? ""
            return ConfigError(file: file, line: mark.line, column: mark.column, message: "YAML syntax: \(prefix)\(problem)")
        default:
            return ConfigError(file: file, line: 1, column: 1, message: "YAML: \(error)")
        }
    }

    var typeName: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .scalar(let s): return s.string.isEmpty ? "an empty value" : "'\(s.string)'"
        case .alias: return "an alias"
        }
    }

    func string(_ what: String = "text") throws -> String {
        guard case .scalar(let scalar) = node else { throw error("expected \(what), found \(typeName)") }
        return scalar.string
    }

    func int(_ what: String = "a whole number", range: ClosedRange<Int>? = nil) throws -> Int {
        guard case .scalar(let scalar) = node, let value = Int(scalar.string) else {
            throw error("expected \(what), found \(typeName)")
        }
        if let range, !range.contains(value) {
            throw error("expected \(what) from \(range.lowerBound) to \(range.upperBound), found \(value)")
        }
        return value
    }

    /// A duration: whole seconds, or a number with `s`, `m` or `h` (`90s`, `15m`, `2h`).
    func seconds(range: ClosedRange<Int>) throws -> Int {
        let what = "a duration such as 90s, 15m or 2h"
        guard case .scalar(let scalar) = node else { throw error("expected \(what), found \(typeName)") }
        let text = scalar.string.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: Int] = ["s": 1, "m": 60, "h": 3600]
        let value: Int?
        if let last = text.last, let unit = units[last] {
            value = Int(text.dropLast().trimmingCharacters(in: .whitespaces)).flatMap {
                $0.multipliedReportingOverflow(by: unit).overflow ? nil : $0 * unit
            }
        } else {
            value = Int(text)
        }
        guard let value else { throw error("expected \(what), found '\(scalar.string)'") }
        guard range.contains(value) else {
            throw error(
                "expected a duration from \(range.lowerBound) s to \(range.upperBound / 3600) h, found '\(scalar.string)' (\(value) s)"
            )
        }
        return value
    }

    func double(_ what: String = "a number") throws -> Double {
        guard case .scalar(let scalar) = node, let value = Double(scalar.string) else {
            throw error("expected \(what), found \(typeName)")
        }
        return value
    }

    func bool() throws -> Bool {
        guard case .scalar(let scalar) = node else { throw error("expected true or false, found \(typeName)") }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, found '\(scalar.string)'")
        }
    }

    func list() throws -> [YAMLValue] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, found \(typeName)") }
        return sequence.map { YAMLValue(node: $0, file: file) }
    }

    /// A single string or a list of strings.
    func strings(_ what: String = "text") throws -> [String] {
        if case .scalar = node { return [try string(what)] }
        return try list().map { try $0.string(what) }
    }

    /// One of a closed set of words, with the nearest name when it is none of them.
    func oneOf<Word: RawRepresentable & CaseIterable>(_ type: Word.Type) throws -> Word where Word.RawValue == String {
        let text = try string()
        guard let word = Word(rawValue: text) else {
            let names = Word.allCases.map(\.rawValue)
            throw error(
                "unknown value '\(text)'; expected one of \(names.joined(separator: ", "))\(NearMiss.hint(for: text, among: names))"
            )
        }
        return word
    }

    func map(allowed: [String]) throws -> YAMLMap {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping of settings, found \(typeName)") }
        var entries: [(key: YAMLValue, value: YAMLValue)] = []
        var seen: Set<String> = []
        for (key, value) in mapping {
            let keyValue = YAMLValue(node: key, file: file)
            let name = try keyValue.string("a setting name")
            if !allowed.isEmpty && !allowed.contains(name) {
                throw keyValue.error(
                    "unknown setting '\(name)'; expected one of \(allowed.joined(separator: ", "))\(NearMiss.hint(for: name, among: allowed))"
                )
            }
            if !seen.insert(name).inserted { throw keyValue.error("'\(name)' is set twice") }
            entries.append((keyValue, YAMLValue(node: value, file: file)))
        }
        return YAMLMap(owner: self, entries: entries)
    }
}

/// The entries of a YAML mapping whose keys were checked against the allowed names.
struct YAMLMap {
    let owner: YAMLValue
    let entries: [(key: YAMLValue, value: YAMLValue)]

    subscript(_ key: String) -> YAMLValue? {
        entries.first { (try? $0.key.string()) == key }?.value
    }

    func required(_ key: String, _ what: String) throws -> YAMLValue {
        guard let value = self[key] else { throw owner.error("missing required setting '\(key)' (\(what))") }
        return value
    }
}
