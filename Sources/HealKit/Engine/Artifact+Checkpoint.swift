import Foundation

/// An artifact in a checkpoint: saved relative to the home, and trusted again on resume only with its sha256.
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
        /// The rows were streamed into the next step, never staged: restored, they cannot be read again.
        var streamed: Bool?
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
            header: header,
            streamed: stream == nil ? nil : true
        )
    }

    /// The saved artifact, if its file is still there with the same sha256. A view (a file minus quarantined rows)
    /// carries an identity of its own, so its file must be one verified earlier in the same resume (`files`).
    static func verified(_ saved: Saved, in home: HealHome, files: inout Set<String>) -> Artifact? {
        let url = home.resolve(path: saved.path)
        if saved.streamed == true {
            var artifact = Artifact(url: url, sha256: saved.sha256, bytes: saved.bytes, rows: saved.rows, columns: saved.columns)
            artifact.stream = StreamedAway(path: saved.path)
            return artifact
        }
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

/// A streamed step's output as a checkpoint restores it: the steps that read it (a fused load) committed before the
/// checkpoint was written, so nothing should read it; anything that tries fails rather than read other rows.
private final class StreamedAway: RowStream {
    let path: String
    init(path: String) { self.path = path }

    func open() throws -> any TableReader {
        throw SkillFailure(
            .internal,
            "the rows of \(path) were streamed into the load, not staged, and cannot be read again; re-run with --force"
        )
    }

    var droppedRows: Int { 0 }
}
