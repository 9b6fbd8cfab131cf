/// A request heal cannot start: an unknown pipeline, a broken configuration, an option out of range.
public struct UsageError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
