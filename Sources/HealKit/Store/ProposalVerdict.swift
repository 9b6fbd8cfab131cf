/// What became of a schema-repair proposal: the gate accepted or rejected it, the proposer had `none`, or it waits
/// for a person's approval (`pending`).
public enum ProposalVerdict: String, ClosedSet {
    case accepted, rejected, none, pending
}
