import HealKit

/// Columns as wide as their widest cell, two spaces apart, numbers to the right; the last column is never padded,
/// so a long mapping or reason does not push every line wide.
struct TextTable {
    enum Alignment { case left, right }

    struct Column {
        var title: String
        var alignment: Alignment = .left
        /// Colours a cell by its text (a status column); nil for none.
        var tint: (@Sendable (String) -> Tint?)? = nil
    }

    var columns: [Column]
    private var rows: [[String]] = []

    init(_ columns: [Column]) { self.columns = columns }

    /// Left-aligned columns of these titles.
    init(_ titles: [String]) { self.init(titles.map { Column(title: $0) }) }

    mutating func add(_ cells: [String]) {
        // Escaped before measuring: an escaped control character is wider than the character.
        rows.append(cells.map { PrintableText.safe($0) })
    }

    /// The header and the rows, padded.
    var lines: [[Painted]] {
        let all = [columns.map(\.title)] + rows
        let widths = columns.indices.map { index in all.map { index < $0.count ? $0[index].count : 0 }.max() ?? 0 }
        return all.enumerated().map { number, cells in
            columns.indices.flatMap { index -> [Painted] in
                let cell = index < cells.count ? cells[index] : ""
                let last = index == columns.count - 1
                let gap = String(repeating: " ", count: max(0, widths[index] - cell.count))
                let painted = Painted(cell, number == 0 ? nil : columns[index].tint?(cell))
                let after = last ? "" : "  "
                return columns[index].alignment == .right
                    ? [Painted(gap), painted, Painted(after)] : [painted, Painted(last ? "" : gap + after)]
            }
        }
    }

    func print() {
        for line in lines { Output.line(line) }
    }
}

extension TextTable.Column {
    static func number(_ title: String) -> Self { .init(title: title, alignment: .right) }
    static func status(_ title: String) -> Self { .init(title: title, tint: { Tint.of(status: $0) }) }
}
