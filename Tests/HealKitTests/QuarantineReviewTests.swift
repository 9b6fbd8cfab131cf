import Foundation
import GRDB
import HealKit
import HealTesting
import Testing

/// `heal quarantine …` through the built binary, on the shipped example's bad day (3 rows quarantined at the
/// schema step, 5 at the quality step), checked in the warehouse and metadata.db.
@Suite("Quarantine review: list, show, export, release, discard", .serialized, .timeLimit(.minutes(3)))
struct QuarantineReviewTests {
    let actor = ["HEAL_ACTOR": "dana"]

    func badDay() async throws -> (home: TestHome, schema: QuarantineBatchSummary, quality: QuarantineBatchSummary) {
        let home = try TestHome.example()
        let run = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19"], home: home)
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let list = try await HealProcess.run(["quarantine", "list", "--json"], home: home)
        let batches = try JSONDecoder().decode([QuarantineBatchSummary].self, from: Data(list.stdout.utf8))
        let schema = try #require(batches.first { $0.step == "schema" })
        let quality = try #require(batches.first { $0.step == "quality" })
        #expect(schema.rows == 3 && quality.rows == 5 && schema.status == "open")
        return (home, schema, quality)
    }

    func count(_ home: TestHome, _ file: String, _ sql: String) throws -> Int {
        try DatabaseQueue(path: home.url(file).path).read { try Int.fetchOne($0, sql: sql) ?? -1 }
    }

    @Test func listShowExportAndDiscard() async throws {
        let (home, schema, quality) = try await badDay()
        defer { home.remove() }
        let listed = try await HealProcess.run(["quarantine", "list", "--pipeline", "sales-daily", "--status", "open"], home: home)
        #expect(listed.stdout.contains(schema.id) && listed.stdout.contains("type:date 3"))
        // A status or date that is not one is refused with what is expected, not answered with an empty table.
        let typo = try await HealProcess.run(["quarantine", "list", "--status", "opened"], home: home)
        #expect(typo.status == 2 && typo.stderr.contains("Please provide one of 'open', 'released', 'discarded', 'closed' or 'superseded'"), "\(typo.stderr)")
        let badDate = try await HealProcess.run(["quarantine", "list", "--since", "2026-13-01"], home: home)
        #expect(badDate.status == 2 && badDate.stderr.contains("--since '2026-13-01' is not a date; expected YYYY-MM-DD"), "\(badDate.stderr)")

        // show, filtered by rule and column, as JSON Lines.
        let shown = try await HealProcess.run(["quarantine", "show", String(quality.id), "--reason", "not_null:sale_id", "--json"], home: home)
        let rows = try shown.stdout.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] ?? [:] }
        #expect(rows.count == 2)
        #expect(rows.allSatisfy { $0["_rule"] as? String == "not_null" && $0["_column"] as? String == "sale_id"
            && ($0["row"] as? [String: String])?["sale_id"] == "" && $0["_state"] as? String == "open" }, "\(shown.stdout)")
        let limited = try await HealProcess.run(["quarantine", "show", String(quality.id.prefix(22)), "--limit", "1"], home: home)
        #expect(limited.status == 0)
        #expect(limited.stdout.components(separatedBy: "\nline ").count == 2)

        // export: quarantine's layout plus the state, and JSON Lines with the row by column name.
        let csv = try await HealProcess.run(["quarantine", "export", schema.id], home: home)
        #expect(csv.stdout.hasPrefix("_source_line,_reason,_rule,_column,_value,_state,sale_id,date,amount"))
        #expect(csv.stdout.split(separator: "\n").count == 4)
        let jsonl = try await HealProcess.run(["quarantine", "export", schema.id, "--format", "jsonl", "--out", "out.jsonl"], home: home)
        #expect(jsonl.status == 0)
        let first = try JSONSerialization.jsonObject(with: Data(try home.read("out.jsonl").split(separator: "\n")[0].utf8)) as? [String: Any]
        #expect((first?["row"] as? [String: String])?["sale_id"] == "S20261119-000000017")
        #expect(first?["_source_line"] as? Int == 18)

        // discard: needs a reason, is recorded with who, and leaves nothing open.
        let noReason = try await HealProcess.run(["quarantine", "discard", quality.id, "--reason", " "], home: home, environment: actor)
        #expect(noReason.status == 2 && noReason.stderr.contains("say why"))
        let discarded = try await HealProcess.run(["quarantine", "discard", quality.id, "--reason", "vendor test rows"], home: home, environment: actor)
        #expect(discarded.status == 0 && discarded.stdout.contains("discarded 5 rows"))
        #expect(try count(home, "metadata.db", "SELECT count(*) FROM quarantine_actions WHERE batch_id = '\(quality.id)' AND action = 'discard' AND actor = 'dana' AND rows = 5 AND detail = 'vendor test rows'") == 1)
        #expect(try count(home, "metadata.db", "SELECT count(*) FROM quarantine_batches WHERE id = '\(quality.id)' AND status = 'discarded' AND discarded = 5") == 1)
        let again = try await HealProcess.run(["quarantine", "discard", quality.id, "--reason", "again"], home: home)
        #expect(again.status == 2 && again.stderr.contains("no open rows"))
        let unknown = try await HealProcess.run(["quarantine", "show", "nope"], home: home)
        #expect(unknown.status == 2 && unknown.stderr.contains("no quarantine batch 'nope'"))
    }

    /// Edit two of three bad dates in an export, release it: those two are loaded once with their own ledger row,
    /// the third stays open; releasing again never duplicates; the accounting holds for every run.
    @Test func editedRowsAreReleasedExactlyOnce() async throws {
        let (home, schema, quality) = try await badDay()
        defer { home.remove() }
        _ = try await HealProcess.run(["quarantine", "export", schema.id, "--out", "edit.csv"], home: home)
        let edited = try home.read("edit.csv")
            .replacingOccurrences(of: ",S20261119-000000017,2026/11/21,", with: ",S20261119-000000017,2026-11-21,")
            .replacingOccurrences(of: ",S20261119-000000417,13/01/2026,", with: ",S20261119-000000417,2026-01-13,")
        try home.write("edit.csv", edited)

        let released = try await HealProcess.run(["quarantine", "release", schema.id, "--file", "edit.csv", "--json"], home: home, environment: actor)
        #expect(released.status == 0, "\(released.stdout)\(released.stderr)")
        let report = try JSONDecoder().decode(QuarantineRelease.Report.self, from: Data(released.stdout.utf8))
        #expect(report.status == "partial")
        #expect((report.candidates, report.loaded, report.kept, report.deduplicated) == (3, 2, 1, 0))
        #expect(report.failures[88]?.contains("'2026-13-01' is not a date") == true)

        // In the warehouse once, as edited, transformed like the day's rows, with a ledger entry of their own.
        let wh = "warehouse.db"
        #expect(try count(home, wh, "SELECT count(*) FROM sales WHERE sale_id IN ('S20261119-000000017', 'S20261119-000000417')") == 2)
        #expect(try count(home, wh, "SELECT count(*) FROM sales WHERE sale_id = 'S20261119-000000417' AND date = '2026-01-13' AND category IS NOT NULL AND _heal_run = '\(report.runID)'") == 1)
        #expect(try count(home, wh, "SELECT count(*) FROM sales WHERE _heal_date = '2026-11-19'") == 491)
        #expect(try count(home, wh, "SELECT count(*) FROM _heal_loads WHERE run_id = '\(report.runID)' AND rows = 2") == 1)
        let md = "metadata.db"
        #expect(try count(home, md, "SELECT count(*) FROM quarantine_batches WHERE id = '\(schema.id)' AND released = 2 AND status = 'open'") == 1)
        #expect(try count(home, md, "SELECT count(*) FROM quarantine_row_states WHERE batch_id = '\(schema.id)' AND state = 'released'") == 2)
        #expect(try count(home, md, "SELECT count(*) FROM quarantine_actions WHERE run_id = '\(report.runID)' AND actor = 'dana' AND rows = 2") == 1)
        #expect(try count(home, md, "SELECT count(*) FROM runs WHERE rows_read != rows_loaded + rows_quarantined + rows_deduplicated + rows_updated") == 0)
        #expect(try count(home, md, "SELECT count(*) FROM runs WHERE kind = 'release' AND rows_read = 3 AND rows_loaded = 2 AND rows_quarantined = 1") == 1)

        // The same file again: its rows are no longer open, nothing is loaded twice.
        let twice = try await HealProcess.run(["quarantine", "release", schema.id, "--file", "edit.csv"], home: home)
        #expect(twice.status == 2 && twice.stderr.contains("source line 18 is not an open row"))
        // The unfixed row alone: it fails again and stays.
        let unfixed = try await HealProcess.run(["quarantine", "release", schema.id, "--rows", "88"], home: home)
        #expect(unfixed.status == 1 && unfixed.stdout.contains("kept line 88"))
        #expect(try count(home, wh, "SELECT count(*) FROM sales WHERE _heal_date = '2026-11-19'") == 491)
        // A quality batch row released as it was (an empty sale_id) fails the same rule again.
        let asItWas = try await HealProcess.run(["quarantine", "release", quality.id, "--rows", "268"], home: home)
        #expect(asItWas.status == 1 && asItWas.stdout.contains("sale_id is empty"))
        let notOpen = try await HealProcess.run(["quarantine", "release", schema.id, "--rows", "18"], home: home)
        #expect(notOpen.status == 2 && notOpen.stderr.contains("not an open row"))
    }

    /// The one-field fix: `--set` a value into the rows picked by `--rows`, released without an edited file; the
    /// rest discarded by line; the list's open counts by reason follow every action, and JSON carries them as objects.
    @Test func setRowsDiscardRowsAndCountsThatFollow() async throws {
        let (home, schema, _) = try await badDay()
        defer { home.remove() }
        let before = try await HealProcess.run(["quarantine", "list", "--json"], home: home)
        let listed = try JSONDecoder().decode([QuarantineBatchSummary].self, from: Data(before.stdout.utf8))
        let first = try #require(listed.first { $0.id == schema.id })
        #expect(first.reasons == ["type:date": 3] && first.openReasons == ["type:date": 3], "\(before.stdout)")
        #expect(!before.stdout.contains("\"{\\\""), "no JSON inside a JSON string: \(before.stdout)")

        let typo = try await HealProcess.run(["quarantine", "release", schema.id, "--rows", "18", "--set", "dat=2026-11-21"], home: home)
        #expect(typo.status == 2 && typo.stderr.contains("no column 'dat'") && typo.stderr.contains("did you mean 'date'?"), "\(typo.stderr)")
        let malformed = try await HealProcess.run(["quarantine", "release", schema.id, "--set", "=x"], home: home)
        #expect(malformed.status == 2 && malformed.stderr.contains("--set '=x' is not COLUMN=VALUE"), "\(malformed.stderr)")

        let released = try await HealProcess.run(["quarantine", "release", schema.id, "--rows", "18", "--set", "date=2026-11-21"], home: home, environment: actor)
        #expect(released.status == 0 && released.stdout.contains("1 row offered · loaded 1"), "\(released.stdout)\(released.stderr)")
        #expect(try count(home, "warehouse.db", "SELECT count(*) FROM sales WHERE sale_id = 'S20261119-000000017' AND date = '2026-11-21'") == 1)
        #expect(try count(home, "metadata.db", "SELECT count(*) FROM quarantine_actions WHERE batch_id = '\(schema.id)' AND detail = 'selected rows, with date=2026-11-21' AND actor = 'dana'") == 1)

        let wrongLine = try await HealProcess.run(["quarantine", "discard", schema.id, "--rows", "18", "--reason", "dup"], home: home)
        #expect(wrongLine.status == 2 && wrongLine.stderr.contains("source line 18 is not an open row"), "\(wrongLine.stderr)")
        let discarded = try await HealProcess.run(["quarantine", "discard", schema.id, "--rows", "88", "--reason", "a date no one can fix"], home: home, environment: actor)
        #expect(discarded.status == 0 && discarded.stdout.contains("discarded 1 row of batch \(schema.id)") && discarded.stdout.contains("1 open, batch open"), "\(discarded.stdout)\(discarded.stderr)")
        let table = try await HealProcess.run(["quarantine", "list"], home: home)
        #expect(table.stdout.split(separator: "\n").contains { $0.hasPrefix(schema.id) && $0.hasSuffix(" type:date 1") }, "\(table.stdout)")

        let rest = try await HealProcess.run(["quarantine", "discard", schema.id, "--reason", "the last one", "--json"], home: home)
        let action = try JSONSerialization.jsonObject(with: Data(rest.stdout.utf8)) as? [String: Any]
        #expect(action?["batch_id"] as? String == schema.id && action?["rows"] as? Int == 1, "\(rest.stdout)")
        let after = try await HealProcess.run(["quarantine", "list"], home: home)
        #expect(after.stdout.split(separator: "\n").contains { $0.hasPrefix(schema.id) && $0.contains(" closed ") && $0.hasSuffix(" —") }, "\(after.stdout)")
    }

    /// A forced re-run supersedes the day's batches: the old one is hidden from the list, shown as superseded
    /// when asked for, and refuses actions.
    @Test func aSupersededBatchIsShownAsSuch() async throws {
        let (home, schema, _) = try await badDay()
        defer { home.remove() }
        let forced = try await HealProcess.run(["run", "sales-daily", "--date", "2026-11-19", "--force"], home: home)
        #expect(forced.status == 0, "\(forced.stdout)")
        let hidden = try await HealProcess.run(["quarantine", "list"], home: home)
        #expect(!hidden.stdout.contains(schema.id), "\(hidden.stdout)")
        let asked = try await HealProcess.run(["quarantine", "list", "--status", "superseded"], home: home)
        #expect(asked.stdout.split(separator: "\n").contains { $0.hasPrefix(schema.id) && $0.contains(" superseded ") }, "\(asked.stdout)")
        let shown = try await HealProcess.run(["quarantine", "show", schema.id], home: home)
        #expect(shown.stdout.contains("· superseded ·") && shown.stdout.contains("superseded: a later run of 2026-11-19"), "\(shown.stdout)")
        let run = try await HealProcess.run(["runs", "show", schema.runId], home: home)
        #expect(run.stdout.contains("\(schema.id) · ") && run.stdout.contains("type:date 3 · superseded"), "\(run.stdout)")
        let refused = try await HealProcess.run(["quarantine", "discard", schema.id, "--reason", "x"], home: home)
        #expect(refused.status == 2 && refused.stderr.contains("was superseded"), "\(refused.stderr)")
    }
}
