/// A learned mapping: `active` (replayed by the learned proposer), `pending` (waits for a person), `rejected` (a
/// person said no).
public enum MappingStatus: String, ClosedSet {
    case active, pending, rejected
}
