import Foundation
import HealKit

/// Every line heal prints to standard output goes through here (it shadows the standard library's `print` in this
/// module): secrets are removed and control characters escaped, whatever file or server the text came from.
func print(_ items: Any..., separator: String = " ", terminator: String = "\n") {
    let text = items.map { "\($0)" }.joined(separator: separator)
    // One write per line, unbuffered: lines on stdout and stderr sharing a file arrive in the order written, and
    // nothing printed is lost when a signal ends the run.
    Output.write(PrintableText.safe(text) + terminator, to: STDOUT_FILENO)
}

enum Output {
    /// Whole documents (an export, a report): on a terminal escaped like every line; into a pipe or a file as they are,
    /// since they are data.
    static func document(_ data: Data) {
        if isatty(STDOUT_FILENO) == 1 {
            write(PrintableText.safe(String(decoding: data, as: UTF8.self)), to: STDOUT_FILENO)
        } else {
            write(data, to: STDOUT_FILENO)
        }
    }

    static func write(_ text: String, to fd: Int32) { write(Data(text.utf8), to: fd) }

    /// Writes all of `data`, giving up quietly when the reader has gone (EPIPE): a closed pipe never ends a run.
    static func write(_ data: Data, to fd: Int32) {
        data.withUnsafeBytes { _ = DescriptorWrite.all(fd, $0) }
    }
}
