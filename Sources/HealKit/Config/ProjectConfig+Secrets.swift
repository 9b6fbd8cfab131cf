import Foundation

extension ProjectConfig {
    /// Environment variables the configuration sends to a server: API headers and queries, alert webhooks and URLs.
    public var sentEnvironmentNames: Set<String> {
        var names: Set<String> = []
        for skill in skills.values {
            for template in skill.settings.sentTemplates { names.formUnion(template.environmentNames) }
        }
        for playbook in playbooks.values {
            for template in playbook.alerts.sentTemplates { names.formUnion(template.environmentNames) }
        }
        return names
    }
}

extension Template {
    /// The `{env.NAME}` names this template reads.
    public var environmentNames: [String] {
        parts.compactMap { if case .environment(let name) = $0 { return name } else { return nil } }
    }
}

extension AlertRoutes {
    var sentTemplates: [Template] {
        (webhook.map { [$0] } ?? [])
            + routes.compactMap { route in
                if case .webhook(let template, _) = route.sink { return template }
                return nil
            }
    }
}
