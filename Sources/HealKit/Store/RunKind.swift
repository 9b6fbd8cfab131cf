/// What a row of `runs` is: a playbook's run, or rows a reviewer released from quarantine.
public enum RunKind: String, ClosedSet {
    case run, release
}
