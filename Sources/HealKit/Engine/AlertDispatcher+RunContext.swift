extension AlertDispatcher {
    /// The dispatcher for a running run: its home, templating values, id and store.
    init(playbook: Playbook, context: RunContext) {
        self.init(playbook: playbook, home: context.home, values: context.values, runID: context.runID, store: context.store)
    }
}
