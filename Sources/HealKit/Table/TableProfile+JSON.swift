import Foundation

/// `heal infer --json`: the profile as data, keys in snake_case, with the draft contract it would print.
extension TableProfile: Encodable {
    enum CodingKeys: String, CodingKey {
        case file, rows, format, columns
        case candidateKeys = "candidate_keys"
    }

    enum FormatKeys: String, CodingKey {
        case type, delimiter, encoding, compression
        case titleLines = "title_lines"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(rows, forKey: .rows)
        var shape = container.nestedContainer(keyedBy: FormatKeys.self, forKey: .format)
        try shape.encode(format.kind.rawValue, forKey: .type)
        if format.kind == .csv {
            try shape.encode(format.delimiter == 9 ? "tab" : String(UnicodeScalar(format.delimiter)), forKey: .delimiter)
        }
        try shape.encode(format.encoding.rawValue, forKey: .encoding)
        try shape.encode(format.gzip ? "gzip" : "none", forKey: .compression)
        try shape.encode(format.titleLines, forKey: .titleLines)
        try container.encode(candidateKeys, forKey: .candidateKeys)
        try container.encode(columns, forKey: .columns)
    }
}
