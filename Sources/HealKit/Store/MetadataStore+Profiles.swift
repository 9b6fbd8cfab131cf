import Foundation
import GRDB

/// Column profiles in `metadata.db`: written pending by the check that computed them, accepted with the run's load.
extension MetadataStore {
    /// Replaces what this run's step stored before (a re-check after a quarantine profiles what is left).
    public func saveProfiles(run: String, pipeline: String, step: String, date: String, _ profiles: [ColumnProfile]) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try database.write { db in
            try db.execute(sql: "DELETE FROM profiles WHERE run_id = ? AND step = ?", arguments: [run, step])
            for profile in profiles {
                let text = String(decoding: try encoder.encode(profile), as: UTF8.self)
                try db.execute(
                    sql: """
                        INSERT INTO profiles (run_id, pipeline, step, column_name, logical_date, accepted, profile, created_at)
                        VALUES (?, ?, ?, ?, ?, 0, ?, ?)
                        """,
                    arguments: [run, pipeline, step, profile.column, date, text, Timestamp.now()]
                )
            }
        }
    }

    /// The run loaded: its profiles become the date's, replacing an earlier run's of the same date.
    public func acceptProfiles(run: String, pipeline: String, date: String) throws {
        try database.write { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM profiles WHERE run_id = ?", arguments: [run]) ?? 0 > 0 else { return }
            try db.execute(
                sql: "DELETE FROM profiles WHERE pipeline = ? AND logical_date = ? AND run_id != ?",
                arguments: [pipeline, date, run]
            )
            try db.execute(sql: "UPDATE profiles SET accepted = 1 WHERE run_id = ?", arguments: [run])
        }
    }

    /// A run resuming an interrupted one takes over the profiles its resumed steps computed.
    public func adoptProfiles(from old: String, to run: String) throws {
        try database.write { db in
            try db.execute(sql: "UPDATE profiles SET run_id = ? WHERE run_id = ? AND accepted = 0", arguments: [run, old])
        }
    }

    /// The column's profiles on the last `days` accepted dates before `date`, newest first.
    public func baseline(pipeline: String, step: String, column: String, before date: String, days: Int) throws -> ProfileBaseline {
        let decoder = JSONDecoder()
        let rows = try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT logical_date, profile FROM profiles
                    WHERE pipeline = ? AND step = ? AND column_name = ? AND accepted = 1 AND logical_date < ?
                    ORDER BY logical_date DESC LIMIT ?
                    """,
                arguments: [pipeline, step, column, date, days]
            )
        }
        return ProfileBaseline(
            days: rows.compactMap { row in
                let text: String = row["profile"]
                guard let profile = try? decoder.decode(ColumnProfile.self, from: Data(text.utf8)) else { return nil }
                return ProfileBaseline.Day(date: row["logical_date"], profile: profile)
            }
        )
    }

    /// The steps and columns a pipeline has accepted profiles for, in the order they were first stored.
    public func profiledColumns(pipeline: String) throws -> [(step: String, column: String)] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT step, column_name, min(rowid) AS first FROM profiles WHERE pipeline = ? AND accepted = 1
                    GROUP BY step, column_name ORDER BY first
                    """,
                arguments: [pipeline]
            ).map { ($0["step"], $0["column_name"]) }
        }
    }

    /// Accepted profiles of dates in `from...to`, for the weekly report's trends.
    public func profiles(pipeline: String, from: String, to: String) throws -> [(step: String, date: String, profile: ColumnProfile)] {
        let decoder = JSONDecoder()
        return try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT step, logical_date, profile FROM profiles
                    WHERE pipeline = ? AND accepted = 1 AND logical_date >= ? AND logical_date <= ?
                    ORDER BY step, rowid, logical_date
                    """,
                arguments: [pipeline, from, to]
            ).compactMap { row in
                let text: String = row["profile"]
                guard let profile = try? decoder.decode(ColumnProfile.self, from: Data(text.utf8)) else { return nil }
                return (row["step"], row["logical_date"], profile)
            }
        }
    }

    /// The departures a watch found, for `heal runs show` and the weekly report; a step judged again in the same
    /// run (a re-check) replaces its own.
    public func recordDrift(run: String, pipeline: String, date: String, step: String, _ departures: [Departure], accepted: Bool) throws {
        try database.write { db in
            try db.execute(sql: "DELETE FROM drift_events WHERE run_id = ? AND step = ?", arguments: [run, step])
            for d in departures {
                try db.execute(
                    sql: """
                        INSERT INTO drift_events (run_id, pipeline, logical_date, step, column_name, check_name, level, accepted, detail, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        run, pipeline, date, step, d.column, d.check.rawValue, d.level.rawValue, accepted, d.detail, Timestamp.now(),
                    ]
                )
            }
        }
    }

    public struct DriftEvent: Sendable, Codable {
        public var runID: String
        public var date: String
        public var step: String
        public var column: String
        public var check: String
        public var level: String
        public var accepted: Bool
        public var detail: String

        enum CodingKeys: String, CodingKey {
            case date, step, column, check, level, accepted, detail
            case runID = "run_id"
        }
    }

    public func driftEvents(run: String) throws -> [DriftEvent] {
        try database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM drift_events WHERE run_id = ? ORDER BY id", arguments: [run]).map(Self.driftEvent)
        }
    }

    public func driftEvents(pipeline: String?, from: String, to: String) throws -> [(pipeline: String, event: DriftEvent)] {
        try database.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM drift_events WHERE (? IS NULL OR pipeline = ?) AND logical_date >= ? AND logical_date <= ? ORDER BY id
                    """,
                arguments: [pipeline, pipeline, from, to]
            ).map { ($0["pipeline"], Self.driftEvent($0)) }
        }
    }

    private static func driftEvent(_ row: Row) -> DriftEvent {
        DriftEvent(
            runID: row["run_id"],
            date: row["logical_date"],
            step: row["step"],
            column: row["column_name"],
            check: row["check_name"],
            level: row["level"],
            accepted: row["accepted"],
            detail: row["detail"]
        )
    }
}
