import Foundation

/// A failure that a skill raises by throwing; the executor records it as a failed attempt.
public struct SkillFailure: Error, CustomStringConvertible, Sendable {
    public var failureClass: FailureClass
    public var details: String
    /// The source is simply not there yet (no file, HTTP 404, no matching object): what a fetch's `wait:` waits out.
    public var absent = false

    public init(_ failureClass: FailureClass, _ details: String) {
        self.failureClass = failureClass
        self.details = details
    }

    /// A `source_missing` failure for a file that may still arrive.
    public static func absent(_ details: String) -> SkillFailure {
        var failure = SkillFailure(.sourceMissing, details)
        failure.absent = true
        return failure
    }

    public var description: String { "\(failureClass.rawValue): \(details)" }
}
