import ArgumentParser

/// `--var NAME=VALUE` (repeatable), for `{var.NAME}` in templates: `heal run`, `heal backfill`, `heal check --connect`.
struct VariableOptions: ParsableArguments {
    @Option(name: .customLong("var"), help: "A template variable for {var.NAME}, as NAME=VALUE (repeatable).")
    var pairs: [String] = []

    func validate() throws {
        for pair in pairs where !pair.contains("=") || pair.hasPrefix("=") {
            throw ValidationError("--var '\(pair)' is not NAME=VALUE")
        }
    }

    /// The variables by name; a name given twice keeps its last value.
    var values: [String: String] {
        var values: [String: String] = [:]
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            values[String(parts[0])] = String(parts[1])
        }
        return values
    }
}
