import Foundation

/// A string with `{date}`, `{date:FORMAT}`, `{var.NAME}`, `{env.NAME}`, `{pipeline}`, `{run}`, `{watermark}` and
/// `{artifact.STEP}` placeholders; `{{` and `}}` are literal braces.
///
/// Parsed when the config loads, so a bad placeholder is a config error, not a 2 AM surprise.
public struct Template: Sendable, Equatable, CustomStringConvertible {
    enum Part: Sendable, Equatable {
        case text(String)
        case date(DateFormat)
        case variable(String)
        case environment(String)
        case pipeline
        case run
        /// The source's watermark from its last committed load ("" before the first).
        case watermark
        /// The staged file an earlier step of the same run produced (an enrichment table fetched like any source).
        case artifact(String)
    }

    let parts: [Part]
    public let source: String

    public var description: String { source }

    public init(parsing source: String) throws(TemplateError) {
        self.source = source
        var parts: [Part] = []
        var text = ""
        var rest = source[...]
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            text += rest[..<open]
            // `{{` and `}}` stand for literal braces (JSON in a command's arguments, say).
            let after = rest.index(after: open)
            if after < rest.endIndex, rest[after] == rest[open] {
                text.append(rest[open])
                rest = rest[rest.index(after: after)...]
                continue
            }
            if rest[open] == "}" {
                throw TemplateError(message: "a lone '}' in \"\(source)\"; write '}}' for a literal brace")
            }
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw TemplateError(message: "'{' is never closed in \"\(source)\"")
            }
            let name = String(rest[rest.index(after: open)..<close])
            if !text.isEmpty {
                parts.append(.text(text))
                text = ""
            }
            parts.append(try Template.placeholder(name, in: source))
            rest = rest[rest.index(after: close)...]
        }
        text += rest
        if !text.isEmpty { parts.append(.text(text)) }
        self.parts = parts
    }

    static let names = ["date", "date:FORMAT", "var.NAME", "env.NAME", "pipeline", "run", "watermark", "artifact.STEP"]

    private static func placeholder(_ name: String, in source: String) throws(TemplateError) -> Part {
        if name == "date" { return .date(.iso) }
        if name == "pipeline" { return .pipeline }
        if name == "run" { return .run }
        if name == "watermark" { return .watermark }
        if name.hasPrefix("date:") {
            let pattern = String(name.dropFirst(5))
            guard let format = DateFormat(pattern, forWriting: true) else {
                throw TemplateError(
                    message:
                        "'{\(name)}': '\(pattern)' is not a date format; use yyyy, MM, dd and separators, e.g. {date:yyyyMMdd} or {date:yyyy}"
                )
            }
            return .date(format)
        }
        for (prefix, make) in [("var.", Part.variable), ("env.", Part.environment), ("artifact.", Part.artifact)]
        where name.hasPrefix(prefix) {
            let key = String(name.dropFirst(prefix.count))
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" }) else {
                throw TemplateError(message: "'{\(name)}' needs a name after '\(prefix)'")
            }
            return make(key)
        }
        let hint = NearMiss.hint(for: name, among: ["date", "pipeline", "run"])
        throw TemplateError(
            message: "unknown placeholder '{\(name)}'; expected one of \(names.map { "{\($0)}" }.joined(separator: ", "))\(hint)"
        )
    }

    /// Renders the template. As a `path`, values from the command line and from fetched data (`{var.…}`,
    /// `{watermark}`) may not hold a path separator or `..`, so `--var f=../../etc/passwd` cannot point a source
    /// anywhere else; `{env.…}` is the operator's own setting and may, and so may a template that is nothing but
    /// one placeholder, which names the whole path on purpose.
    public func render(_ values: TemplateValues, path: Bool = false) throws(TemplateError) -> String {
        var out = ""
        // A template that is one placeholder alone (`source: "{var.input}"`) hands the whole path over on purpose.
        let intoPath = path && parts.count > 1
        func checked(_ value: String, _ placeholder: String) throws(TemplateError) -> String {
            guard intoPath else { return value }
            if value.contains("/") || value.contains("\\") || value.contains("\u{0}") || value == ".." || value.contains("..") {
                throw TemplateError(
                    message:
                        "'{\(placeholder)}' in \"\(source)\" is \(Text.quoted(value)), which holds a path separator or '..'; a value put into a path may name a file, not a folder elsewhere (set allow_path_values: true in the skill to allow it)"
                )
            }
            return value
        }
        for part in parts {
            switch part {
            case .text(let text): out += text
            case .date(let format): out += values.date.format(format)
            case .pipeline: out += values.pipeline
            case .run: out += values.runID
            case .watermark: out += try checked(values.watermark ?? "", "watermark")
            case .artifact(let step):
                guard let path = values.artifacts[step] else {
                    throw TemplateError(
                        message:
                            "'{artifact.\(step)}' in \"\(source)\": step '\(step)' has produced no file in this run yet; name a step that runs before this one"
                    )
                }
                out += path
            case .variable(let name):
                guard let value = values.variables[name] else {
                    throw TemplateError(message: "'{var.\(name)}' in \"\(source)\" has no value; pass --var \(name)=VALUE")
                }
                out += try checked(value, "var.\(name)")
            case .environment(let name):
                guard let value = values.environment[name] else {
                    throw TemplateError(message: "'{env.\(name)}' in \"\(source)\": the environment variable \(name) is not set")
                }
                // The environment is the operator's, as trusted as the configuration (a whole target URL may come from it).
                out += value
            }
        }
        return out
    }

    /// The steps whose staged files this template names, for `heal check` to find in the playbook.
    public var artifactSteps: [String] {
        parts.compactMap { if case .artifact(let step) = $0 { return step } else { return nil } }
    }

    /// True when rendering may read an environment variable (such values may be secrets and are never printed).
    public var readsEnvironment: Bool {
        parts.contains { if case .environment = $0 { return true } else { return false } }
    }
}

public struct TemplateError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var description: String { message }
}

/// What placeholders resolve to in one run.
public struct TemplateValues: Sendable {
    public var date: CalendarDate
    public var pipeline: String
    public var runID: String
    public var variables: [String: String]
    public var environment: [String: String]
    /// Set while an incremental source renders its request.
    public var watermark: String?
    /// Absolute paths of the files earlier steps of the run staged, by step name.
    public var artifacts: [String: String] = [:]

    public init(
        date: CalendarDate,
        pipeline: String,
        runID: String,
        variables: [String: String] = [:],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.date = date
        self.pipeline = pipeline
        self.runID = runID
        self.variables = variables
        self.environment = environment
    }
}

extension YAMLValue {
    func template(_ what: String = "text") throws -> Template {
        let text = try string(what)
        do {
            return try Template(parsing: text)
        } catch {
            throw self.error(error.message)
        }
    }
}
