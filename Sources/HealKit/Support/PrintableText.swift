import Foundation

/// Text as heal shows it on a terminal: untrusted text (a file's header, a server's error) may carry escape
/// sequences that set a terminal's title, clear its screen or hide what follows, so every control character but
/// the line break and the tab is written as a visible escape (`\x1B`, `\u{202E}`), and known secrets are removed.
public enum PrintableText {
    public static func safe(_ text: String, secrets: Secrets = .process) -> String {
        escaped(secrets.redact(text))
    }

    public static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            guard needsEscape(scalar) else {
                out.append(scalar)
                continue
            }
            let code = scalar.value
            let shown = code < 0x100 ? String(format: "\\x%02X", code) : String(format: "\\u{%04X}", code)
            out.append(contentsOf: shown.unicodeScalars)
        }
        return String(out)
    }

    /// JSON text with every character `escaped` would rewrite written as a JSON `\uXXXX` escape instead (valid only
    /// inside strings, where a JSON encoder leaves such characters; all of them are in the Basic Multilingual Plane).
    public static func jsonEscaped(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: needsEscape) else { return json }
        var out = String.UnicodeScalarView()
        for scalar in json.unicodeScalars {
            if needsEscape(scalar) && scalar.value != 0x0D {
                out.append(contentsOf: String(format: "\\u%04X", scalar.value).unicodeScalars)
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// C0 controls but LF and TAB, DEL, C1 controls, and the bidirectional overrides that reorder a line.
    static func needsEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x0A, 0x09: return false
        case 0x00...0x1F, 0x7F...0x9F: return true
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: return true
        default: return false
        }
    }
}
