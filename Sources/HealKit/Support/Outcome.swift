/// How one attempt of a skill ended.
public enum Outcome: String, ClosedSet {
    case pass, fail, skip
}
