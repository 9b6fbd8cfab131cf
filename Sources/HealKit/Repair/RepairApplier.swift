import Foundation

/// Applies a checked repair to the whole staged file, streaming, into a new artifact.
enum RepairApplier {
    /// Formats a cast may read from, beyond explicit patterns.
    static let decimalComma = "decimal_comma"

    /// `1.234,50` → `1234.50`.
    static func fromDecimalComma(_ value: String) -> String {
        value.replacingOccurrences(of: ".", with: "").replacingOccurrences(of: ",", with: ".")
    }

    static func apply(_ repair: SchemaRepair, contract: ContractSpec, input: Artifact, output: URL) throws -> Artifact {
        let reader = try input.open()
        var names = reader.header
        var keep = Array(repeating: true, count: names.count)
        var defaults: [(index: Int, value: String)] = []
        var appended: [(name: String, value: String)] = []
        for operation in repair.operations {
            switch operation {
            case .rename(let from, let to):
                if let i = names.firstIndex(of: from) { names[i] = to }
            case .drop(let column):
                if let i = names.firstIndex(of: column) { keep[i] = false }
            case .defaultValue(let column, let value):
                if let i = names.firstIndex(of: column) { defaults.append((i, value)) } else { appended.append((column, value)) }
            case .cast:
                break
            }
        }
        var casts: [(index: Int, convert: (String) -> String)] = []
        for case .cast(let column, let type, let format) in repair.operations {
            guard let i = names.firstIndex(of: column), let target = contract.columns.first(where: { $0.name == column }) else { continue }
            if type == .date, let from = DateFormat(format) {
                let to = target.formats.first ?? .iso
                casts.append((i, { value in
                    CalendarDate.parse(Text.trim(value), format: from).map { $0.format(to) } ?? value
                }))
            } else if type == .decimal, format == decimalComma {
                casts.append((i, fromDecimalComma))
            }
        }
        let header = zip(names, keep).filter(\.1).map(\.0) + appended.map(\.name)
        let writer = try CSVWriter(url: output, header: header, carrySourceLines: true)
        try reader.forEachRow { row in
            var fields = row.strings
            for (i, value) in defaults where i < fields.count && Text.trim(fields[i]).isEmpty { fields[i] = value }
            for (i, convert) in casts where i < fields.count && !fields[i].isEmpty { fields[i] = convert(fields[i]) }
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
