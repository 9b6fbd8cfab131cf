import Foundation

/// Sends one alert where the playbook routes it: always the alerts file, then each route whose severities include
/// the alert's. The same failure of the same logical date inside the dedup window is counted on the first alert
/// instead of sent again (the alerts file still logs it, marked `duplicate_of`); another night's failure is new.
/// Every outcome is recorded in metadata.db; a failing sink never fails the run.
struct AlertDispatcher {
    let playbook: Playbook
    let home: HealHome
    let values: TemplateValues
    let runID: String
    /// nil when metadata.db itself is what failed: the alert still goes to the file and every route.
    let store: MetadataStore?

    init(playbook: Playbook, home: HealHome, values: TemplateValues, runID: String, store: MetadataStore?) {
        self.playbook = playbook
        self.home = home
        self.values = values
        self.runID = runID
        self.store = store
    }

    /// Returns what each sink said (or that the alert was suppressed as a repeat).
    func dispatch(_ alert: Alert) async -> [String] {
        let routes = playbook.alerts
        let payload = (try? StoredJSON(encoding: alert)) ?? "{}"
        let windowStart =
            routes.dedupMinutes > 0
            ? Timestamp.string(Date().addingTimeInterval(-Double(routes.dedupMinutes) * 60)) : nil
        let record = AlertRecord(
            id: alert.id,
            runId: runID,
            pipeline: playbook.name,
            logicalDate: values.date.description,
            step: alert.step,
            failureClass: alert.failureClass,
            summary: alert.summary,
            payload: payload,
            delivery: "pending",
            createdAt: alert.createdAt,
            severity: alert.severity,
            signature: alert.signature
        )
        var delivery: [String] = []
        let sinks = sinks(for: alert.severity, delivery: &delivery)
        do {
            if let original = try store?.insertAlert(record, deduplicatingSince: windowStart) {
                // Not sent again to people; the files still log it, marked as the repeat it is.
                var repeated = alert
                repeated.duplicateOf = original.id
                for sink in sinks where sink.logsRepeats { _ = await sink.deliver(repeated) }
                return [
                    "suppressed: same failure of \(values.date) as alert \(original.id) inside \(routes.dedupMinutes) min (\(Noun.count(original.occurrences, "time")) now); logged to the alerts file"
                ]
            }
        } catch {
            // Recording failed; still deliver, since the person matters more than the bookkeeping.
        }
        for sink in sinks {
            if let problem = await sink.deliver(alert) {
                delivery.append("\(sink.name): \(problem)")
            } else {
                delivery.append("\(sink.name): delivered")
            }
        }
        try? store?.updateAlertDelivery(id: alert.id, delivery: delivery.joined(separator: "; "))
        return delivery
    }

    func sinks(for severity: AlertSeverity, delivery: inout [String]) -> [any AlertSink] {
        let routes = playbook.alerts
        var sinks: [any AlertSink] = [FileAlertSink(url: home.resolve(path: routes.file))]
        func url(_ template: Template) -> URL? {
            do {
                let rendered = try template.render(values)
                if let url = URL(string: rendered), url.scheme == "http" || url.scheme == "https" { return url }
                delivery.append("webhook: not a URL")
            } catch {
                delivery.append("webhook: \(error.message)")
            }
            return nil
        }
        if let webhook = routes.webhook, let url = url(webhook) {
            sinks.append(WebhookAlertSink(url: url, attempts: routes.webhookAttempts))
        }
        // A resolved notification goes where the failure it ends was paged, and to routes that ask for it.
        let wanted: Set<AlertSeverity> = severity == .resolved ? [.resolved, .critical] : [severity]
        for route in routes.routes where !route.severities.isDisjoint(with: wanted) {
            switch route.sink {
            case .webhook(let template, let format):
                if let url = url(template) { sinks.append(WebhookAlertSink(url: url, attempts: route.attempts, format: format)) }
            case .command(let argv):
                sinks.append(CommandAlertSink(argv: argv, directory: home.root, attempts: route.attempts))
            case .file(let path):
                sinks.append(FileAlertSink(url: home.resolve(path: path)))
            }
        }
        return sinks
    }
}

/// An alert raised outside a run's bookkeeping: metadata.db cannot be opened or written (corrupt, a folder, a full
/// disk), or the run stopped on an error of its own. It goes to the alerts file and every route all the same.
public enum OutOfBandAlert {
    public static func raise(
        playbook: Playbook,
        home: HealHome,
        date: CalendarDate,
        step: String,
        problem: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) async -> Alert {
        let runID = "unrecorded-" + RunID.make(Date())
        let summary = Secrets(environment: environment).redact(problem)
        var alert = Alert(
            id: "\(runID)-1",
            pipeline: playbook.name,
            date: date.description,
            runID: runID,
            step: step,
            skill: step,
            failureClass: .internal,
            summary: summary,
            attempts: [],
            suggestion:
                "heal could not record or finish this run; fix what the summary names (restore or move metadata.db, free disk space), then re-run: heal run \(playbook.name) --date \(date)",
            inspect: "heal runs list",
            createdAt: Timestamp.now()
        )
        alert.signature =
            FailureSignature(pipeline: playbook.name, step: step, failureClass: alert.failureClass, details: summary).description
        let values = TemplateValues(date: date, pipeline: playbook.name, runID: runID, environment: environment)
        _ = await AlertDispatcher(playbook: playbook, home: home, values: values, runID: runID, store: nil).dispatch(alert)
        return alert
    }
}
