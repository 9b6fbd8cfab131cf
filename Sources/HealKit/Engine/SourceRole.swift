/// What a source is to its run: its rows are the run's (`loaded`), a table other steps look up (`reference`), or
/// already loaded from the same input (`skipped`).
public enum SourceRole: String, ClosedSet {
    case loaded, reference, skipped
}
