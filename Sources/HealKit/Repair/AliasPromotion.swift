import Foundation
import Yams

/// Writes a learned mapping's renames into the contract's `aliases:`, editing the YAML text in place so its
/// comments and layout stay as the user wrote them; the result is parsed again before it is written.
public enum AliasPromotion {
    public struct Outcome: Sendable, Equatable {
        /// "customer_id ← client_id".
        public var added: [String] = []
        /// Operations that are not names (casts, defaults, drops), and aliases already there.
        public var skipped: [String] = []
    }

    /// Adds each rename's observed name to its contract column's aliases in `skills/SKILL.yml`.
    public static func promote(_ repair: SchemaRepair, skill: String, home: HealHome) throws -> Outcome {
        let url = home.skills.appendingPathComponent("\(skill).yml")
        let file = home.display(url)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ConfigError(file: file, line: 0, column: 0, message: "cannot read the contract skill \(skill)")
        }
        var text = String(decoding: data, as: UTF8.self)
        var outcome = Outcome()
        for operation in repair.operations {
            guard case .rename(let from, let to) = operation else {
                outcome.skipped.append("\(operation) (not a name; put a lasting format in the contract by hand)")
                continue
            }
            let contract = try decodeContract(text, skill: skill, file: file)
            guard let column = contract.columns.first(where: { $0.name == to }) else {
                outcome.skipped.append("\(operation) (\(to) is no longer a contract column)")
                continue
            }
            if column.aliases.contains(from) {
                outcome.skipped.append("\(operation) (already an alias)")
                continue
            }
            text = try insert(alias: from, forColumn: to, in: text, file: file)
            guard try decodeContract(text, skill: skill, file: file).columns.first(where: { $0.name == to })?.aliases.contains(from) == true
            else {
                throw ConfigError(
                    file: file,
                    line: 0,
                    column: 0,
                    message: "could not add the alias \(Text.quoted(from)) to \(to) without changing the file's meaning; add it by hand"
                )
            }
            outcome.added.append("\(to) ← \(from)")
        }
        if !outcome.added.isEmpty { try Data(text.utf8).write(to: url, options: .atomic) }
        return outcome
    }

    static func decodeContract(_ text: String, skill: String, file: String) throws -> ContractSpec {
        guard let contract = try SkillDecoder.decode(try YAMLValue.load(text: text, file: file), name: skill).settings(ContractSpec.self)
        else {
            throw ConfigError(file: file, line: 1, column: 1, message: "\(skill) is not a validate_schema contract")
        }
        return contract
    }

    /// A YAML double-quoted scalar: a header name may hold anything.
    static func quoted(_ name: String) -> String {
        var out = "\""
        for scalar in name.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x80...0x9F).contains(scalar.value):
                out += String(format: "\\u%04X", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// The text with `alias` added to the column's `aliases:` (made if missing), flow or block style alike.
    static func insert(alias: String, forColumn name: String, in text: String, file: String) throws -> String {
        guard let root = try Yams.compose(yaml: text), case .sequence(let columns)? = root.mapping?["columns"] else {
            throw ConfigError(file: file, line: 1, column: 1, message: "no columns: list to add aliases to")
        }
        guard let item = columns.first(where: { $0.mapping?["name"]?.scalar?.string == name }), let entry = item.mapping else {
            throw ConfigError(file: file, line: 1, column: 1, message: "no column named \(name)")
        }
        var lines = text.components(separatedBy: "\n")
        let value = quoted(alias)
        func offset(_ mark: Mark) -> (line: Int, column: Int) { (mark.line - 1, mark.column - 1) }
        if let aliases = entry["aliases"], case .sequence(let list) = aliases, let mark = aliases.mark {
            let (l, c) = offset(mark)
            if character(lines, at: (l, c)) == "[" {
                // `[a, b]`: the closing bracket on the same line, outside quotes.
                guard let close = closing(in: lines[l], from: c, open: "[", close: "]") else {
                    throw ConfigError(
                        file: file,
                        line: l + 1,
                        column: c + 1,
                        message: "the aliases list spans lines; add the alias by hand"
                    )
                }
                let line = Array(lines[l])
                let inside = String(line[(c + 1)..<close]).trimmingCharacters(in: .whitespaces)
                lines[l] = String(line[..<close]) + (inside.isEmpty ? value : ", \(value)") + String(line[close...])
            } else {
                guard let last = list.last?.mark else {
                    throw ConfigError(file: file, line: l + 1, column: c + 1, message: "an empty aliases list")
                }
                let (ll, lc) = offset(last)
                let prefix = String(lines[ll].prefix(lc))
                lines.insert(prefix + value, at: ll + 1)
            }
        } else if let nameKey = entry.keys.first(where: { $0.scalar?.string == "name" }), let mark = nameKey.mark, let itemMark = item.mark
        {
            let (l, c) = offset(mark)
            if character(lines, at: offset(itemMark)) == "{" {
                let (il, ic) = offset(itemMark)
                guard let close = closing(in: lines[il], from: ic, open: "{", close: "}") else {
                    throw ConfigError(
                        file: file,
                        line: il + 1,
                        column: ic + 1,
                        message: "the column's mapping spans lines; add the alias by hand"
                    )
                }
                let line = Array(lines[il])
                var before = String(line[..<close])
                let trailing = before.reversed().prefix { $0 == " " }.count
                before = String(before.dropLast(trailing))
                lines[il] = before + ", aliases: [\(value)]" + String(repeating: " ", count: trailing) + String(line[close...])
            } else {
                // A block mapping: a new key under `name:`, at its indentation.
                let indent = String(repeating: " ", count: c)
                var end = l
                if let nameValue = entry["name"]?.mark { end = max(end, nameValue.line - 1) }
                lines.insert(indent + "aliases: [\(value)]", at: end + 1)
            }
        } else {
            throw ConfigError(file: file, line: 1, column: 1, message: "column \(name) has no name key to place aliases by")
        }
        return lines.joined(separator: "\n")
    }

    /// What the text holds at a node's mark: `[` or `{` for flow style (composed nodes do not keep their style).
    static func character(_ lines: [String], at position: (line: Int, column: Int)) -> Character? {
        guard position.line < lines.count else { return nil }
        let chars = Array(lines[position.line])
        return position.column < chars.count ? chars[position.column] : nil
    }

    /// The index of the bracket that closes the one at `from` (characters, not bytes), skipping quoted text.
    static func closing(in line: String, from: Int, open: Character, close: Character) -> Int? {
        let chars = Array(line)
        guard from < chars.count, chars[from] == open else { return nil }
        var depth = 0
        var i = from
        var quote: Character?
        while i < chars.count {
            let c = chars[i]
            if let q = quote {
                if c == "\\" && q == "\"" {
                    i += 2
                    continue
                }
                if c == q { quote = nil }
            } else if c == "\"" || c == "'" {
                quote = c
            } else if c == "[" || c == "{" {
                depth += 1
            } else if c == "]" || c == "}" {
                depth -= 1
                if depth == 0 { return c == close ? i : nil }
            }
            i += 1
        }
        return nil
    }
}
