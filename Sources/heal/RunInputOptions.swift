import ArgumentParser
import HealKit

/// The options `heal run` and `heal backfill` share: template variables and a forced reload.
struct RunInputOptions: ParsableArguments {
    @OptionGroup var variables: VariableOptions

    @Flag(help: "Load again even if a date was loaded from the same input; replaces the date's rows.")
    var force = false

    /// Run options for a date (nil: the default date) with these variables and this force.
    func options(date: CalendarDate?) -> RunOptions {
        RunOptions(date: date, variables: variables.values, force: force)
    }
}
