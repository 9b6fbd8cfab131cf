import Foundation

/// Reads `playbooks/NAME.yml` strictly.
enum PlaybookDecoder {
    static func decode(_ root: YAMLValue, name: String) throws -> Playbook {
        let map = try root.map(allowed: [
            "description", "timezone", "schedule", "catchup", "retry", "thresholds", "alerts", "steps", "retention",
        ])
        var timeZone = TimeZone(identifier: "UTC")!
        var timeZoneName = "UTC"
        if let value = map["timezone"] {
            let id = try value.string("a time zone name such as Europe/Paris")
            guard let zone = TimeZone(identifier: id) else {
                throw value.error("unknown time zone '\(id)'; expected an IANA name such as UTC or America/New_York")
            }
            timeZone = zone
            timeZoneName = id
        }
        var cron: CronSchedule?
        if let value = map["schedule"] {
            do { cron = try CronSchedule(try value.string("a cron expression")) } catch let error as CronSchedule.ParseError {
                throw value.error("\(error.description)")
            }
        }
        var catchUp = CatchUp.latest
        if let value = map["catchup"] {
            let text = try value.string("latest, all or none")
            guard let policy = CatchUp(rawValue: text) else { throw value.error("catchup '\(text)' is not one of latest, all, none") }
            catchUp = policy
        }
        let retry = try map["retry"].map { try decodeRetry($0, defaults: RetryPolicy()) } ?? RetryPolicy()
        var thresholds = Thresholds()
        if let value = map["thresholds"] {
            let t = try value.map(allowed: ["quarantine_warn_pct"])
            if let v = t["quarantine_warn_pct"] { thresholds.quarantineWarnPct = try v.double("a percentage") }
        }
        var alerts = AlertRoutes()
        if let value = map["alerts"] {
            let a = try value.map(allowed: ["file", "webhook", "webhook_attempts", "dedup_minutes", "routes"])
            if let v = a["file"] { alerts.file = try v.string("a path") }
            if let v = a["webhook"] { alerts.webhook = try v.template("a URL") }
            if let v = a["webhook_attempts"] { alerts.webhookAttempts = try v.int("a number of attempts", range: 1...10) }
            if let v = a["dedup_minutes"] { alerts.dedupMinutes = try v.int("minutes", range: 0...10_080) }
            if let v = a["routes"] {
                for item in try v.list() {
                    let r = try item.map(allowed: ["severity", "webhook", "format", "command", "file", "attempts"])
                    let severityValue = try r.required("severity", "critical, warning, resolved, or a list of them")
                    let names: [String]
                    if let list = try? severityValue.list() {
                        names = try list.map { try $0.string("a severity") }
                    } else {
                        names = [try severityValue.string("a severity")]
                    }
                    let severities = try names.map { name in
                        guard let severity = AlertSeverity(rawValue: name) else {
                            throw severityValue.error("unknown severity '\(name)'; expected critical, warning or resolved")
                        }
                        return severity
                    }
                    let sinks = ["webhook", "command", "file"].filter { r[$0] != nil }
                    guard sinks.count == 1 else { throw item.error("a route needs exactly one of webhook, command, file") }
                    let sink: AlertRoute.Sink
                    switch sinks[0] {
                    case "webhook":
                        let format = try r["format"]?.string("slack or json") ?? "slack"
                        guard ["slack", "json"].contains(format) else {
                            throw r["format"]!.error("format '\(format)' is not slack or json")
                        }
                        sink = .webhook(try r["webhook"]!.template("a URL"), format: format)
                    case "command":
                        let argv = try r["command"]!.list().map { try $0.string("a program or argument") }
                        guard !argv.isEmpty else { throw r["command"]!.error("expected [program, arguments…]") }
                        sink = .command(argv)
                    default:
                        sink = .file(try r["file"]!.string("a path"))
                    }
                    var route = AlertRoute(severities: Set(severities), sink: sink)
                    if let n = r["attempts"] { route.attempts = try n.int("a number of attempts", range: 1...10) }
                    alerts.routes.append(route)
                }
            }
        }
        let stepsValue = try map.required("steps", "the list of steps")
        var steps: [Step] = []
        for item in try stepsValue.list() {
            let step = try decodeStep(item, retry: retry, earlier: steps.map(\.name))
            if steps.contains(where: { $0.name == step.name }) {
                throw item.error("a step named '\(step.name)' already exists; step names must be unique")
            }
            steps.append(step)
        }
        if steps.isEmpty { throw stepsValue.error("expected at least one step") }
        var retention = Retention()
        if let value = map["retention"] {
            let r = try value.map(allowed: ["staging_days"])
            if let v = r["staging_days"] { retention.stagingDays = try v.int("a number of days", range: 0...3650) }
        }
        var playbook = Playbook(
            name: name,
            file: root.file,
            description: try map["description"]?.string(),
            timeZone: timeZone,
            schedule: try map["schedule"]?.string("a cron expression"),
            cron: cron,
            catchUp: catchUp,
            retry: retry,
            thresholds: thresholds,
            alerts: alerts,
            steps: steps
        )
        playbook.retention = retention
        playbook.timeZoneName = timeZoneName
        return playbook
    }

    static func decodeRetry(_ value: YAMLValue, defaults: RetryPolicy) throws -> RetryPolicy {
        let map = try value.map(allowed: ["attempts", "backoff_ms", "max_backoff_ms", "jitter", "retryable"])
        var policy = defaults
        if let v = map["attempts"] { policy.attempts = try v.int("a number of attempts", range: 1...100) }
        if let v = map["backoff_ms"] { policy.backoff = .milliseconds(try v.int("milliseconds", range: 0...86_400_000)) }
        if let v = map["max_backoff_ms"] { policy.maxBackoff = .milliseconds(try v.int("milliseconds", range: 0...86_400_000)) }
        if let v = map["jitter"] {
            let jitter = try v.double("a fraction from 0 to 1")
            guard (0...1).contains(jitter) else { throw v.error("expected a fraction from 0 to 1, found \(jitter)") }
            policy.jitter = jitter
        }
        if let v = map["retryable"] { policy.retryable = Set(try v.list().map(FailureClass.decode)) }
        return policy
    }

    static func decodeStep(_ value: YAMLValue, retry: RetryPolicy, earlier: [String]) throws -> Step {
        let map = try value.map(allowed: ["name", "skill", "critical", "input", "retry", "on_failure"])
        var input: String?
        if let v = map["input"] {
            let name = try v.string("the name of an earlier step")
            guard earlier.contains(name) else {
                throw v.error(
                    "input '\(name)' is not an earlier step; a step can read the file of a step above it\(NearMiss.hint(for: name, among: earlier))"
                        + (earlier.isEmpty ? "" : " (earlier steps: \(earlier.joined(separator: ", ")))")
                )
            }
            input = name
        }
        let skill = try map.required("skill", "the name of a skill config in skills/").string("a skill name")
        var onFailure: [FailureClass: [String]] = [:]
        if let v = map["on_failure"] {
            let classes = try v.map(allowed: FailureClass.allCases.map(\.rawValue))
            for (key, remedies) in classes.entries {
                onFailure[try FailureClass.decode(key)] = try remedies.strings("a remediation skill name")
            }
        }
        return Step(
            name: try map["name"]?.string("a step name") ?? skill,
            skill: skill,
            critical: try map["critical"]?.bool() ?? true,
            input: input,
            retry: try map["retry"].map { try decodeRetry($0, defaults: retry) },
            onFailure: onFailure,
            line: value.line,
            column: value.column
        )
    }
}
