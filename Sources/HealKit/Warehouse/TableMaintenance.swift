import Foundation

/// `heal table describe` and `heal table migrate` for a pipeline: its load steps' tables against the contract.
public struct TableMaintenance {
    public let home: HealHome
    public let playbook: Playbook
    public let skills: [String: SkillConfig]
    public let environment: [String: String]

    public init(
        home: HealHome,
        playbook: Playbook,
        skills: [String: SkillConfig],
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) {
        self.home = home
        self.playbook = playbook
        self.skills = skills
        self.environment = environment
    }

    /// One load step's table, its target rendered for today.
    public struct Target {
        public var step: String
        public var table: String
        public var target: String
        public var shown: String
    }

    public func targets() throws -> [Target] {
        let values = TemplateValues(
            date: CalendarDate.of(Date(), in: playbook.timeZone),
            pipeline: playbook.name,
            runID: "table",
            environment: environment
        )
        return try playbook.steps.compactMap { step -> Target? in
            guard let load = skills[step.skill]?.settings(LoadSpec.self) else { return nil }
            let target: String
            do { target = try load.target.render(values, path: true) } catch let error as TemplateError {
                throw SkillFailure(.configuration, "skills/\(step.skill).yml: \(error.message)")
            }
            return Target(step: step.name, table: load.table, target: target, shown: WarehouseTarget.display(target))
        }
    }

    func warehouse(_ target: Target) throws -> any Warehouse {
        try WarehouseTarget.open(target.target, home: home, environment: environment)
    }

    static func dialect(_ target: Target) -> SQLDialect { target.target.hasPrefix("sqlite:") ? .sqlite : .postgres }

    public func describe(store: MetadataStore?) async throws -> [TableDescription] {
        let expected = TableDefinition.expected(playbook, skills: skills)
        let changes = try store?.schemaChanges(pipeline: playbook.name) ?? []
        var out: [TableDescription] = []
        for target in try targets() {
            let existing = try await warehouse(target).columns(of: target.table)
            out.append(
                TableDescription.build(
                    pipeline: playbook.name,
                    target: target.shown,
                    table: target.table,
                    existing: existing,
                    expected: expected,
                    dialect: Self.dialect(target),
                    changes: changes
                )
            )
        }
        return out
    }

    /// Retypes (`name` or `name:type`; the contract's type when none is given) and drops, in one transaction; with
    /// neither, every column `describe` finds narrower than or in conflict with the contract is retyped to it.
    public func migrate(table: String?, retype: [String], drop: [String], store: MetadataStore) async throws -> (Target, [SchemaChange]) {
        let all = try targets()
        guard !all.isEmpty else { throw SkillFailure(.internal, "\(playbook.name) has no load step, so no table to migrate") }
        let chosen: Target
        if let table {
            guard let found = all.first(where: { $0.table == table }) else {
                throw SkillFailure(
                    .internal,
                    "\(playbook.name) loads no table \(Text.quoted(table)) (its tables: \(all.map(\.table).joined(separator: ", ")))"
                )
            }
            chosen = found
        } else {
            guard all.count == 1 else {
                throw SkillFailure(.internal, "\(playbook.name) loads \(all.map(\.table).joined(separator: ", ")); name one with --table")
            }
            chosen = all[0]
        }
        let expected = TableDefinition.expected(playbook, skills: skills)
        var requests = retype
        if retype.isEmpty && drop.isEmpty {
            let description = try await describe(store: store).first { $0.table == chosen.table }
            requests = description?.columns.filter { $0.state == .narrower || $0.state == .conflict }.map(\.name) ?? []
            guard !requests.isEmpty else { return (chosen, []) }
        }
        let targets = try requests.map { request -> ColumnSpec in
            let parts = request.split(separator: ":", maxSplits: 1).map(String.init)
            let name = parts[0]
            let contract = expected.first { $0.name == name }
            guard parts.count == 2 else {
                guard let contract else {
                    throw SkillFailure(
                        .internal,
                        "\(name) is not in the contract; say its new type: --retype \(name):TYPE (\(Self.typeNames))"
                    )
                }
                return contract
            }
            guard let type = Self.type(parts[1]) else {
                throw SkillFailure(.internal, "unknown type '\(parts[1])'; expected one of \(Self.typeNames)")
            }
            if var contract, contract.type == type.0 {
                if parts[1] == "timestamptz" { contract.formats = [] }
                return contract
            }
            var spec = ColumnSpec(name: name, type: type.0, required: false)
            // Stored text of unknown shape: any common date shape reads, as `formats: [auto]` would.
            if type.0 == .date { spec.autoDates = true }
            if type.0 == .timestamp {
                spec.formats = type.1 ? [] : [DateFormat("yyyy-MM-dd HH:mm:ss")!, DateFormat("yyyy-MM-dd'T'HH:mm:ss")!, DateFormat.iso]
            }
            return spec
        }
        for name in drop where expected.contains(where: { $0.name == name }) {
            throw SkillFailure(
                .internal,
                "\(name) is a column of the contract (\(expected.first { $0.name == name }!.origin?.described ?? "")); remove it there before dropping it from the table"
            )
        }
        let changes = try await warehouse(chosen).migrate(table: chosen.table, retype: targets, drop: drop)
        try store.recordSchemaChanges(
            changes.map {
                SchemaChangeRecord(
                    runID: nil,
                    pipeline: playbook.name,
                    date: nil,
                    target: chosen.shown,
                    table: chosen.table,
                    change: $0,
                    createdAt: Timestamp.now()
                )
            }
        )
        return (chosen, changes)
    }

    static let typeNames = "string, integer, decimal, boolean, date, timestamp, timestamptz"

    /// A type a user names: heal's, or `timestamptz` for a timestamp of instants.
    static func type(_ text: String) -> (ColumnType, Bool)? {
        if text == "timestamptz" { return (.timestamp, true) }
        return ColumnType(rawValue: text).map { ($0, false) }
    }
}
