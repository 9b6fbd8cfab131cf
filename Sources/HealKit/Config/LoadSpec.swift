import Foundation

/// `append` inserts; `replace` swaps the date's partition; `merge` upserts on the key.
public enum WriteMode: String, Sendable, CaseIterable {
    case append, replace, merge
}

/// A date already loaded from a different input: refuse (and alert), replace the date, or merge on the key.
public enum ChangedInputPolicy: String, Sendable, CaseIterable {
    case refuse, replace, merge
}

public struct LoadSpec: Sendable {
    public var target: Template
    public var table: String
    public var mode: WriteMode = .append
    public var key: [String] = []
    public var onChangedInput: ChangedInputPolicy = .refuse
    /// `new_columns`, `missing_columns`, `type_changes`.
    public var schema = SchemaPolicy()
}

extension LoadSpec: YAMLSettings {
    public static let kind: SkillKind = "load"

    static func decode(_ root: YAMLValue) throws -> LoadSpec {
        let map = try root.map(allowed: [
            "kind", "target", "table", "mode", "key", "on_changed_input", "new_columns", "missing_columns", "type_changes",
        ])
        var spec = LoadSpec(
            target: try map["target"]?.template("sqlite:PATH") ?? Template(parsing: "sqlite:warehouse.db"),
            table: try map.required("table", "the target table").string("a table name")
        )
        if let v = map["mode"] { spec.mode = try v.oneOf(WriteMode.self) }
        if let v = map["key"] { spec.key = try v.strings("a column name") }
        if let v = map["on_changed_input"] { spec.onChangedInput = try v.oneOf(ChangedInputPolicy.self) }
        if let v = map["new_columns"] { spec.schema.newColumns = try v.oneOf(SchemaPolicy.NewColumns.self) }
        if let v = map["missing_columns"] { spec.schema.missingColumns = try v.oneOf(SchemaPolicy.MissingColumns.self) }
        if let v = map["type_changes"] { spec.schema.typeChanges = try v.oneOf(SchemaPolicy.TypeChanges.self) }
        try checkTarget(spec.target, at: map["target"] ?? root)
        if spec.key.isEmpty, spec.mode == .merge || spec.onChangedInput == .merge {
            throw (map["mode"] ?? map["on_changed_input"] ?? root).error("a merge needs the key it merges on; add key: [column, …]")
        }
        return spec
    }

    /// A warehouse target heal can reach, and no password in it: the target is printed and stored.
    static func checkTarget(_ template: Template, at value: YAMLValue) throws {
        let target = template.source
        if !["sqlite:", "postgres://", "postgresql://", "{"].contains(where: { target.hasPrefix($0) }) {
            throw value.error(
                "unsupported target '\(WarehouseTarget.display(target))'; expected sqlite:PATH or postgres://user@host:port/database"
            )
        }
        if target.range(of: "^postgres(ql)?://[^/@]*:[^/@]*@", options: .regularExpression) != nil {
            throw value.error("a password in the target would be shown and stored; leave it out and set PGPASSWORD instead")
        }
    }

    public var sentTemplates: [Template] { [target] }

    public var endpoints: [SkillEndpoint] { [.warehouse(target)] }
}
