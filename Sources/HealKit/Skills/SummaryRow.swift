import Foundation

/// A spreadsheet's summary row (`TOTAL,,123456.78,…`): not a record of the day, so it is set aside with a reason
/// of its own instead of failing as a bad value or loading as a sale.
enum SummaryRow {
    /// First-cell words that mark a total, compared without regard to case, a trailing colon allowed.
    static let words: Set<String> = [
        "total", "totals", "grand total", "sum", "subtotal", "sub-total", "sub total", "summe",
        "gesamt", "gesamtsumme", "totaal", "totale", "total général", "totaux",
    ]

    /// A violation when the row's first cell is a total word and some other cell is empty.
    @inline(__always)
    static func violation(_ row: RowView) -> Violation? {
        guard row.count > 1 else { return nil }
        let first = row[0].trimmed
        guard first.count >= 3, first.count <= 16 else { return nil }
        // Two bytes rule out nearly every real first cell before any String is built.
        let lead = (first[0] | 0x20, first[1] | 0x20)
        switch lead {
        case (UInt8(ascii: "t"), UInt8(ascii: "o")), (UInt8(ascii: "s"), UInt8(ascii: "u")), (UInt8(ascii: "g"), UInt8(ascii: "e")),
            (UInt8(ascii: "g"), UInt8(ascii: "r")):
            break
        default: return nil
        }
        var word = first.string.lowercased()
        if word.hasSuffix(":") { word.removeLast() }
        guard words.contains(word.trimmingCharacters(in: .whitespaces)) else { return nil }
        guard (1..<row.count).contains(where: { row[$0].trimmed.isEmpty }) else { return nil }
        return Violation(
            failureClass: .parseError,
            rule: "summary_row",
            column: "",
            value: first.string,
            reason: "a summary row (\(Text.quoted(first.string))), not a record; set aside so it is not loaded as data"
        )
    }
}
