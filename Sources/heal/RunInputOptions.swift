import ArgumentParser
import HealKit

/// The options `heal run` and `heal backfill` share: template variables and a forced reload.
struct RunInputOptions: ParsableArguments {
    @Option(name: .customLong("var"), help: "A template variable for {var.NAME}, as NAME=VALUE (repeatable).")
    var variables: [String] = []

    @Flag(help: "Load again even if a date was loaded from the same input; replaces the date's rows.")
    var force = false

    func validate() throws {
        for variable in variables where !variable.contains("=") || variable.hasPrefix("=") {
            throw ValidationError("--var '\(variable)' is not NAME=VALUE")
        }
    }

    /// Run options for a date (nil: the default date) with these variables and this force.
    func options(date: CalendarDate?) -> RunOptions {
        var options = RunOptions(date: date, force: force)
        options.add(variables: variables)
        return options
    }
}
