import Foundation

/// The weekly report as one self-contained HTML file: inline CSS, inline SVG charts, no script, no external asset.
public enum ReportHTML {
    static let colors = ["succeeded": "#2e7d32", "healed": "#1565c0", "partial": "#f9a825", "skipped": "#9e9e9e", "failed": "#c62828"]

    public static func render(_ r: WeeklyReport) -> String {
        var body = "<h1>heal weekly report · \(e(r.period.label))\(r.pipeline.map { " · \(e($0))" } ?? "")</h1>\n"
        body +=
            "<p class=\"sub\">\(e(r.period.from)) to \(e(r.period.to)) · \(Noun.count(r.runs, "day")) run\(r.reruns > 0 ? " (\(Noun.count(r.reruns, "re-run")) not counted)" : "") · \(e(ReportMarkdown.statusLine(r.runsByStatus))) · generated \(e(r.generatedAt))</p>\n"
        body += "<h2>Runs by day</h2>\n" + runsChart(r) + legend()
        body += "<h2>Quarantined rows by day</h2>\n" + quarantineChart(r)
        body += section(
            "Failures by step and class",
            ["pipeline", "step", "class", "runs"],
            r.failures.map { [$0.pipeline, $0.step, $0.failureClass, String($0.runs)] },
            empty: "No step failed."
        )
        body += section(
            "Failure signatures",
            ["pipeline/step", "class", "pattern", "seen", "healed", "first", "last", "streak"],
            r.signatures.map {
                [
                    "\($0.pipeline)/\($0.step)", $0.failureClass, $0.pattern, String($0.occurrences), String($0.healed),
                    $0.firstSeen, $0.lastSeen, "\($0.longestStreak)\($0.recurring ? " recurring" : "")",
                ]
            },
            empty: "None."
        )
        body += section(
            "Remediations",
            ["pipeline/step", "remediation", "for", "tried", "healed", "rate"],
            r.remediations.map {
                [
                    "\($0.pipeline)/\($0.step)", $0.remediation, $0.failureClass, String($0.tried), String($0.healed),
                    ReportMarkdown.percent($0.rate),
                ]
            },
            empty: "None were needed."
        )
        body += section(
            "Schema-repair proposers",
            [
                "proposer", "proposals", "accepted", "rejected", "pending", "none", "model calls (failed)", "tokens in/out",
                "median latency",
            ],
            r.proposers.map {
                [
                    $0.proposer, String($0.proposals), String($0.accepted), String($0.rejected), String($0.pending), String($0.none),
                    "\($0.modelCalls) (\($0.failedCalls))",
                    "\($0.inputTokens)/\($0.outputTokens)", "\($0.medianLatencyMs) ms",
                ]
            },
            empty: "No proposals."
        )
        body += section(
            "Quarantined rows by reason",
            ["pipeline", "reason", "rows", "by day", "trend"],
            r.quarantine.map { [$0.pipeline, $0.reason, String($0.rows), $0.byDay.map(String.init).joined(separator: " "), $0.trend] },
            empty: "Nothing was quarantined."
        )
        body +=
            "<h2>Time to heal</h2>\n<p>\(r.timeToHeal.healedSteps) healed steps · median \(r.timeToHeal.medianMs) ms · longest \(r.timeToHeal.maxMs) ms</p>\n"
        body += section(
            "Drift by column",
            ["pipeline/step", "column", "check", "failed", "warned", "accepted", "last", "latest"],
            r.drift.map {
                [
                    "\($0.pipeline)/\($0.step)", $0.column, $0.check, "\($0.fails)", "\($0.warnings)", "\($0.accepted)", $0.lastSeen,
                    $0.example,
                ]
            },
            empty: "No column left its history."
        )
        body += section(
            "Schema changes",
            ["pipeline", "table", "change", "by", "date"],
            r.schemaChanges.map {
                [
                    $0.pipeline, $0.table, $0.change.summary, $0.runID.map { "run \($0)" } ?? "heal table migrate",
                    $0.date ?? String($0.createdAt.prefix(10)),
                ]
            },
            empty: "No table changed."
        )
        if !r.trends.isEmpty {
            body += section(
                "Watched columns, day by day",
                ["pipeline/step", "column", "measure", "by day", "empty % by day"],
                r.trends.map {
                    [
                        "\($0.pipeline)/\($0.step)", $0.column, $0.measure, $0.byDay.map(ReportMarkdown.figure).joined(separator: " "),
                        $0.nullPctByDay.map(ReportMarkdown.figure).joined(separator: " "),
                    ]
                },
                empty: ""
            )
        }
        body +=
            "<h2>Suggestions</h2>\n"
            + (r.suggestions.isEmpty
                ? "<p>None this week.</p>\n" : "<ul>\n" + r.suggestions.map { "<li>\(e($0))</li>\n" }.joined() + "</ul>\n")
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>heal weekly report \(e(r.period.label))</title>
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <style>
            body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1100px;color:#212121;padding:0 16px}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #e0e0e0;padding-bottom:4px}
            .sub{color:#616161;margin:0}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #eee;vertical-align:top}
            th{background:#fafafa;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}.legend span{margin-right:14px}
            .legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}svg text{font:11px system-ui,sans-serif;fill:#424242}
            </style></head><body>
            \(body)</body></html>

            """
    }

    /// Stacked bars: runs per day by status.
    static func runsChart(_ r: WeeklyReport) -> String {
        let width = 1000
        let height = 180
        let left = 30
        let bottom = 24
        let maxRuns = max(1, r.days.map { $0.runs.values.reduce(0, +) }.max() ?? 1)
        let slot = Double(width - left) / Double(max(1, r.days.count))
        var svg =
            "<svg role=\"img\" aria-label=\"runs by day\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        svg += "<text x=\"0\" y=\"12\">\(maxRuns)</text><text x=\"0\" y=\"\(height - bottom)\">0</text>\n"
        for (i, day) in r.days.enumerated() {
            let x = Double(left) + Double(i) * slot + slot * 0.15
            var y = Double(height - bottom)
            for (status, count) in RunStatusOrder.sorted(day.runs) {
                let h = Double(count) / Double(maxRuns) * Double(height - bottom - 10)
                y -= h
                svg +=
                    "<rect x=\"\(f(x))\" y=\"\(f(y))\" width=\"\(f(slot * 0.7))\" height=\"\(f(h))\" fill=\"\(colors[status] ?? "#757575")\"><title>\(e(day.date)): \(count) \(e(status))</title></rect>\n"
            }
            svg += "<text x=\"\(f(x))\" y=\"\(height - 6)\">\(e(String(day.date.suffix(5))))</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func quarantineChart(_ r: WeeklyReport) -> String {
        let width = 1000
        let height = 120
        let left = 30
        let bottom = 24
        let maxRows = max(1, r.days.map(\.rowsQuarantined).max() ?? 1)
        let slot = Double(width - left) / Double(max(1, r.days.count))
        var svg =
            "<svg role=\"img\" aria-label=\"quarantined rows by day\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\" xmlns=\"http://www.w3.org/2000/svg\">\n"
        svg += "<text x=\"0\" y=\"12\">\(maxRows)</text><text x=\"0\" y=\"\(height - bottom)\">0</text>\n"
        for (i, day) in r.days.enumerated() {
            let x = Double(left) + Double(i) * slot + slot * 0.15
            let h = Double(day.rowsQuarantined) / Double(maxRows) * Double(height - bottom - 10)
            svg +=
                "<rect x=\"\(f(x))\" y=\"\(f(Double(height - bottom) - h))\" width=\"\(f(slot * 0.7))\" height=\"\(f(h))\" fill=\"#ef6c00\"><title>\(e(day.date)): \(Noun.count(day.rowsQuarantined, "row"))</title></rect>\n"
            svg += "<text x=\"\(f(x))\" y=\"\(height - 6)\">\(e(String(day.date.suffix(5))))</text>\n"
        }
        return svg + "</svg>\n"
    }

    static func legend() -> String {
        "<p class=\"legend\">"
            + RunStatusOrder.order.compactMap { s in colors[s].map { "<span><i style=\"background:\($0)\"></i>\(s)</span>" } }.joined()
            + "</p>\n"
    }

    static func section(_ title: String, _ header: [String], _ rows: [[String]], empty: String) -> String {
        guard !rows.isEmpty else { return "<h2>\(e(title))</h2>\n<p>\(e(empty))</p>\n" }
        var html = "<h2>\(e(title))</h2>\n<table><thead><tr>" + header.map { "<th>\(e($0))</th>" }.joined() + "</tr></thead><tbody>\n"
        for row in rows {
            html +=
                "<tr>" + row.map { cell in Int(cell) != nil ? "<td class=\"n\">\(e(cell))</td>" : "<td>\(e(cell))</td>" }.joined()
                + "</tr>\n"
        }
        return html + "</tbody></table>\n"
    }

    /// SVG coordinates with one decimal.
    static func f(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Details come from data files and models: everything is escaped.
    static func e(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }
}
