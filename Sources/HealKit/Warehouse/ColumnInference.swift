import Foundation

/// The type of a file column no contract declares, read from every one of its values, for `new_columns: evolve`:
/// the narrowest of integer, decimal, boolean, date and timestamp that every value fits, else text.
enum ColumnInference {
    static func infer(_ names: [String], in artifact: Artifact) throws -> [String: ColumnSpec] {
        guard !names.isEmpty else { return [:] }
        let reader = try artifact.open()
        let indexes = names.map { reader.header.firstIndex(of: $0) }
        var trackers = names.map { ColumnTracker(name: $0, countDistinct: false) }
        try reader.forEachRow { row in
            for (n, index) in indexes.enumerated() {
                guard let index, index < row.count else { continue }
                trackers[n].add(row[index].trimmed)
            }
        }
        var out: [String: ColumnSpec] = [:]
        for tracker in trackers {
            let result = tracker.result
            var spec = ColumnSpec(name: result.name, type: .string, required: false)
            spec.origin = .file
            // Only a type every value fits: a column 98 % dates is text here, never a date with holes.
            if result.misfits == 0 && !result.decimalComma && result.formats != ["auto"] {
                spec.type = result.type
                if result.type == .date || result.type == .timestamp {
                    spec.formats = result.formats.compactMap { DateFormat($0) }
                }
            }
            if result.type == .boolean && spec.type == .boolean {
                // What the tracker reads as boolean: true/false, yes/no, t/f, y/n.
                spec.trueTokens = ["true", "yes", "t", "y"]
                spec.falseTokens = ["false", "no", "f", "n"]
            }
            out[result.name] = spec
        }
        return out
    }
}
