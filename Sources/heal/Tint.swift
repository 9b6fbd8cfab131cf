import Foundation
import HealKit

/// The few colours heal uses, for the words a person scans a screen for: a step's mark and a run's status.
enum Tint: String {
    case green = "32", yellow = "33", red = "31"

    /// The colour of a run status or an attempt outcome; nil leaves the word as it is.
    static func of(status: String) -> Tint? {
        switch status.trimmingCharacters(in: .whitespaces).lowercased() {
        case "succeeded", "healed", "ok", "pass", "released": .green
        case "partial", "skipped", "skip", "open", "warn": .yellow
        case "failed", "fail", "alert", "error": .red
        default: nil
        }
    }

    /// Colour only on a terminal, never when NO_COLOR is set to anything (https://no-color.org) nor for TERM=dumb:
    /// pipes, files, logs and JSON get plain text.
    static func enabled(on fd: Int32, environment: [String: String] = ProcessInfo.processInfo.environment) -> Bool {
        isatty(fd) == 1 && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
    }
}

/// A piece of a printed line, coloured or not.
struct Painted: ExpressibleByStringInterpolation {
    var text: String
    var tint: Tint?

    init(_ text: String, _ tint: Tint? = nil) {
        self.text = text
        self.tint = tint
    }

    init(stringLiteral value: String) { self.init(value) }
    init(stringInterpolation: DefaultStringInterpolation) { self.init(String(stringInterpolation: stringInterpolation)) }

    /// A status word, in its colour.
    static func status(_ word: String) -> Painted { Painted(word, Tint.of(status: word)) }
}

extension Output {
    /// One line made of pieces: each escaped like any printed text, then coloured when the descriptor is a terminal
    /// that wants colour. The escape codes are heal's own; nothing from a file or a server can add one.
    static func line(_ pieces: [Painted], to fd: Int32 = STDOUT_FILENO) {
        let colour = Tint.enabled(on: fd)
        let text = pieces.map { piece -> String in
            let safe = PrintableText.safe(piece.text)
            guard colour, let tint = piece.tint, !safe.isEmpty else { return safe }
            return "\u{1B}[\(tint.rawValue)m\(safe)\u{1B}[0m"
        }.joined()
        write(text + "\n", to: fd)
    }
}
