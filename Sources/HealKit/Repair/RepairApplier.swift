import Foundation

/// Applies a checked repair to the whole staged file, streaming, into a new artifact.
enum RepairApplier {
    /// The header after the proposal's renames and drops, all at once: `rename a→b` with `rename b→a` swaps the two.
    static func renamed(_ header: [String], by repair: SchemaRepair) -> [String] {
        var to: [String: String] = [:]
        for case .rename(let from, let target) in repair.operations where to[from] == nil { to[from] = target }
        return header.map { to[$0] ?? $0 }
    }

    static func apply(_ repair: SchemaRepair, contract: ContractSpec, input: Artifact, output: URL) throws -> Artifact {
        let reader = try Tables.open(input, flaws: .deliver)
        let original = reader.header
        let names = renamed(original, by: repair)
        var keep = Array(repeating: true, count: names.count)
        var defaults: [(index: Int, value: String)] = []
        var appended: [(name: String, value: String)] = []
        for operation in repair.operations {
            switch operation {
            case .drop(let column):
                if let i = original.firstIndex(of: column) { keep[i] = false }
            case .defaultValue(let column, let value):
                if let i = names.firstIndex(of: column) { defaults.append((i, value)) } else { appended.append((column, value)) }
            case .rename, .cast:
                break
            }
        }
        // A cast adds a reading: what it reads is rewritten in the contract's terms, the rest keeps its text.
        var casts: [(index: Int, reading: CastReading, column: ColumnSpec)] = []
        for case .cast(let column, let type, let format) in repair.operations {
            guard let i = names.firstIndex(of: column), let target = contract.columns.first(where: { $0.name == column }),
                let reading = CastReading(type: type, format: format)
            else { continue }
            casts.append((i, reading, target))
        }
        let header = zip(names, keep).filter(\.1).map(\.0) + appended.map(\.name)
        let writer = try CSVWriter(url: output, header: header, carrySourceLines: true)
        let delimiter = String(UnicodeScalar((input.format ?? TableFormat()).delimiter))
        try reader.forEachRow { row in
            if row.flaw != nil {
                // A broken line (an unclosed quote) stays broken: one field holding its text, which no header of
                // two or more columns fits, so the re-check sets it aside instead of reading its naive fields.
                try writer.write([row.strings.joined(separator: delimiter)], sourceLine: row.line)
                return
            }
            var fields = row.strings
            for (i, value) in defaults where i < fields.count && Text.trim(fields[i]).isEmpty { fields[i] = value }
            for (i, reading, column) in casts where i < fields.count && !Text.trim(fields[i]).isEmpty {
                if let value = reading.convert(fields[i], to: column) { fields[i] = value }
            }
            var out: [String] = []
            out.reserveCapacity(header.count)
            for (i, field) in fields.enumerated() where i >= keep.count || keep[i] { out.append(field) }
            out += appended.map(\.value)
            try writer.write(out, sourceLine: row.line)
        }
        let digest = try writer.finish()
        return Artifact(url: output, sha256: digest.sha256, bytes: digest.bytes, rows: writer.rows)
    }
}
