import Foundation

/// A staged file a skill produced: the checkpoint a run resumes from and its lineage trail.
public struct Artifact: Sendable {
    public var url: URL
    public var sha256: String
    public var bytes: Int
    /// Data rows, once a skill has counted them.
    public var rows: Int?
    /// Typed columns, once a contract has been checked.
    public var columns: [ColumnSpec]?
    /// How the file reads (detected or declared by the contract); nil is heal's own UTF-8 CSV.
    public var format: TableFormat?
    /// Rows of `url` that a quarantine moved aside: the artifact is the file without them, no copy written.
    public var excluded: RowSet?
    /// The names the file's columns are read under when a contract read some by their aliases (`client_id` as
    /// `customer_id`): a view of the same file, as `excluded` is, so no copy is written.
    public var header: [String]?

    public init(url: URL, sha256: String, bytes: Int, rows: Int? = nil, columns: [ColumnSpec]? = nil) {
        self.url = url
        self.sha256 = sha256
        self.bytes = bytes
        self.rows = rows
        self.columns = columns
    }

    /// The file minus the excluded rows: what the next step reads (`RunContext.open` adds read-ahead and progress).
    public func open() throws -> any TableReader { try Tables.open(self) }

    /// The declared type of a column, `string` when no contract has typed it.
    public func column(named name: String) -> ColumnSpec {
        columns?.first { $0.name == name } ?? ColumnSpec(name: name, type: .string)
    }
}

extension Artifact {
    /// The artifact as a checkpoint keeps it: the path relative to the home, everything a later step reads.
    struct Saved: Codable {
        var path: String
        var sha256: String
        var bytes: Int
        var rows: Int?
        var columns: [ColumnSpec]?
        var format: TableFormat?
        var excluded: RowSet?
        var header: [String]?
    }

    func saved(in home: HealHome) -> Saved {
        Saved(
            path: home.display(url),
            sha256: sha256,
            bytes: bytes,
            rows: rows,
            columns: columns,
            format: format,
            excluded: excluded,
            header: header
        )
    }

    /// The saved artifact, if its file is still there with the same sha256. A view (a file minus quarantined rows)
    /// carries an identity of its own, so its file must be one verified earlier in the same resume (`files`).
    static func verified(_ saved: Saved, in home: HealHome, files: inout Set<String>) -> Artifact? {
        let url = home.resolve(path: saved.path)
        if saved.excluded != nil {
            guard files.contains(saved.path) else { return nil }
        } else {
            guard let digest = try? FileDigest.sha256(of: url), digest.sha256 == saved.sha256 else { return nil }
            files.insert(saved.path)
        }
        var artifact = Artifact(url: url, sha256: saved.sha256, bytes: saved.bytes, rows: saved.rows, columns: saved.columns)
        artifact.format = saved.format
        artifact.excluded = saved.excluded
        artifact.header = saved.header
        return artifact
    }
}
