/// How loud an alert is: `critical` pages, `warning` informs, `resolved` ends earlier failures of the date.
public enum AlertSeverity: String, ClosedSet {
    case critical, warning, resolved
}
