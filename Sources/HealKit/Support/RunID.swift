import Foundation

/// A run's id: its start in UTC to the second and four random hex digits (`20261119T020000-3fa2`), so ids sort by
/// time and two runs started in the same second differ.
public enum RunID {
    public static func make(_ now: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        return "\(formatter.string(from: now))-\(String(format: "%04x", UInt16.random(in: 0...UInt16.max)))"
    }
}
