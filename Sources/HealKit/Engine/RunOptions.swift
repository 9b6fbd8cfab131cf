import Foundation

/// What the user asked for on the command line.
public struct RunOptions: Sendable {
    public var date: CalendarDate?
    public var variables: [String: String] = [:]
    public var force = false
    /// A person confirmed the source changed on purpose: drift departures only warn for this run.
    public var acceptDrift = false
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    public var now = Date()

    public init(date: CalendarDate? = nil, variables: [String: String] = [:], force: Bool = false) {
        self.date = date
        self.variables = variables
        self.force = force
    }
}
