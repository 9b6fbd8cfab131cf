/// Where a quarantine batch stands: rows still open, all released, all discarded, both (`closed`), or replaced by
/// a later run's batch of the same date and step (`superseded`).
public enum QuarantineBatchStatus: String, ClosedSet {
    case open, released, discarded, closed, superseded
}
