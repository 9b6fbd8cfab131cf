import HealKit

// In tests, a literal may stand for a member of a closed set (`status == "failed"`, `[.pass, "fail"]`), as the
// tests wrote them when these were strings. Only tests get this: heal's own code names members (`.failed`), so a
// misspelt status there does not compile. A literal that names no member stops the test with the set's members.
extension ClosedSet {
    public init(stringLiteral value: String) {
        guard let member = Self(rawValue: value) else {
            preconditionFailure("'\(value)' is not one of \(Self.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        self = member
    }
}

extension RunStatus: ExpressibleByStringLiteral {}
extension RunKind: ExpressibleByStringLiteral {}
extension StepStatus: ExpressibleByStringLiteral {}
extension SourceRole: ExpressibleByStringLiteral {}
extension Outcome: ExpressibleByStringLiteral {}
extension FailureClass: ExpressibleByStringLiteral {}
extension AlertSeverity: ExpressibleByStringLiteral {}
extension QuarantineBatchStatus: ExpressibleByStringLiteral {}
extension QuarantineAction: ExpressibleByStringLiteral {}
extension ProposalVerdict: ExpressibleByStringLiteral {}
extension MappingStatus: ExpressibleByStringLiteral {}
