/// What a reviewer did to rows of a quarantine batch.
public enum QuarantineAction: String, ClosedSet {
    case release, discard
}
