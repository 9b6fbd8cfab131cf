/// A closed set of words that heal stores, prints and reads back as their raw values: run statuses, outcomes,
/// failure classes, severities, verdicts, roles. Printed, a member is its raw value (`source_missing`), never its
/// Swift name (`sourceMissing`).
public protocol ClosedSet: RawRepresentable, CaseIterable, Hashable, Codable, Sendable, CustomStringConvertible
where RawValue == String {}

extension ClosedSet {
    public var description: String { rawValue }
}
