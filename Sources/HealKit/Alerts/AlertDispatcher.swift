import Foundation

/// Sends one alert where the playbook routes it: always the alerts file, then each route whose severities include
/// the alert's. The same signature inside the dedup window is counted on the first alert instead of sent again.
/// Every outcome is recorded in metadata.db; a failing sink never fails the run.
struct AlertDispatcher {
    let playbook: Playbook
    let context: RunContext

    /// Returns what each sink said (or that the alert was suppressed as a repeat).
    func dispatch(_ alert: Alert) async -> [String] {
        let routes = playbook.alerts
        let payload = (try? JSONEncoder().encode(alert)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        let windowStart = routes.dedupMinutes > 0
            ? Timestamp.string(Date().addingTimeInterval(-Double(routes.dedupMinutes) * 60)) : nil
        let record = AlertRecord(
            id: alert.id, runId: context.runID, pipeline: context.pipeline, logicalDate: context.date.description, step: alert.step,
            failureClass: alert.failureClass, summary: alert.summary, payload: payload, delivery: "pending", createdAt: alert.createdAt,
            severity: alert.severity, signature: alert.signature)
        do {
            if let original = try context.store.insertAlert(record, deduplicatingSince: windowStart) {
                return ["suppressed: same as alert \(original.id) inside \(routes.dedupMinutes) min (\(original.occurrences) times now)"]
            }
        } catch {
            // Recording failed; still deliver, since the person matters more than the bookkeeping.
        }
        var delivery: [String] = []
        for sink in sinks(for: alert.severity, delivery: &delivery) {
            if let problem = await sink.deliver(alert) { delivery.append("\(sink.name): \(problem)") } else { delivery.append("\(sink.name): delivered") }
        }
        try? context.store.updateAlertDelivery(id: alert.id, delivery: delivery.joined(separator: "; "))
        return delivery
    }

    func sinks(for severity: String, delivery: inout [String]) -> [any AlertSink] {
        let routes = playbook.alerts
        var sinks: [any AlertSink] = [FileAlertSink(url: context.home.resolve(path: routes.file))]
        func url(_ template: Template) -> URL? {
            do {
                let rendered = try template.render(context.values)
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
        for route in routes.routes where route.severities.contains(severity) {
            switch route.sink {
            case .webhook(let template, let format):
                if let url = url(template) { sinks.append(WebhookAlertSink(url: url, attempts: route.attempts, format: format)) }
            case .command(let argv):
                sinks.append(CommandAlertSink(argv: argv, directory: context.home.root, attempts: route.attempts))
            case .file(let path):
                sinks.append(FileAlertSink(url: context.home.resolve(path: path)))
            }
        }
        return sinks
    }
}
