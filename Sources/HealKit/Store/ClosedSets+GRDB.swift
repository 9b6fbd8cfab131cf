import GRDB

// The closed sets metadata.db holds, stored as their raw values (GRDB's RawRepresentable support).
extension RunStatus: DatabaseValueConvertible {}
extension RunKind: DatabaseValueConvertible {}
extension Outcome: DatabaseValueConvertible {}
extension FailureClass: DatabaseValueConvertible {}
extension SkillKind: DatabaseValueConvertible {}
extension AlertSeverity: DatabaseValueConvertible {}
extension QuarantineBatchStatus: DatabaseValueConvertible {}
extension QuarantineAction: DatabaseValueConvertible {}
extension ProposalVerdict: DatabaseValueConvertible {}
extension MappingStatus: DatabaseValueConvertible {}
