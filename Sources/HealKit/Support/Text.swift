import Foundation

/// Small text helpers for what heal prints: trimmed fields, grouped counts, quoted and clipped values from files.
enum Text {
    /// Trims spaces and tabs only, as CSV producers pad fields.
    @inline(__always) static func trim(_ s: String) -> String {
        guard let first = s.utf8.first, let last = s.utf8.last else { return s }
        if first != 32 && first != 9 && last != 32 && last != 9 { return s }
        return s.trimmingCharacters(in: [" ", "\t"])
    }

    /// `2941` → "2,941".
    static func count(_ n: Int) -> String {
        let digits = String(n.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (n < 0 ? "-" : "") + out
    }

    static func quoted(_ value: String, limit: Int = 40) -> String {
        value.count > limit ? "'\(value.prefix(limit))…'" : "'\(value)'"
    }

    /// Names from a file (a header) as an alert may quote them: each cut at 40 characters, at most `count` of them.
    static func names(_ names: [String], count: Int = 30) -> String {
        let shown = names.prefix(count).map { $0.count > 40 ? "\($0.prefix(40))…" : $0 }.joined(separator: ", ")
        return names.count > count ? "\(shown), … and \(names.count - count) more" : shown
    }

    /// Text that may carry a file's content, cut to `limit` characters so no file can fill an alert or a page.
    static func clipped(_ text: String, _ limit: Int = 2000) -> String {
        text.count > limit ? "\(text.prefix(limit))… (\(text.count - limit) more characters)" : text
    }
}
