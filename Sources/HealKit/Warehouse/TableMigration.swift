import Foundation

/// What `heal table migrate` may do to a table, checked the same way on both warehouses before anything changes:
/// a retyped column must exist; a dropped one must exist and be neither heal's bookkeeping nor part of the key.
enum TableMigration {
    static func changes(
        table: String,
        columns: [TableColumn],
        retype: [ColumnSpec],
        drop: [String],
        dialect: SQLDialect
    ) throws -> [SchemaChange] {
        let byName = Dictionary(columns.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var changes: [SchemaChange] = []
        for target in retype {
            guard let current = byName[target.name] else { throw unknown(target.name, table: table, columns: columns) }
            guard !TableSQL.bookkeeping.contains(target.name) else {
                throw SkillFailure(.schemaMismatch, "\(target.name) is heal's bookkeeping column; it is not retyped")
            }
            changes.append(
                SchemaChange(
                    kind: .retyped,
                    column: target.name,
                    from: current.declared,
                    to: dialect.declare(target),
                    source: target.origin?.described
                )
            )
        }
        for name in drop {
            guard let current = byName[name] else { throw unknown(name, table: table, columns: columns) }
            if TableSQL.bookkeeping.contains(name) || current.primaryKey {
                throw SkillFailure(
                    .schemaMismatch,
                    "\(table).\(name) is \(current.primaryKey ? "part of the primary key" : "heal's bookkeeping column"); it is not dropped"
                )
            }
            changes.append(SchemaChange(kind: .dropped, column: name, from: current.declared))
        }
        return changes
    }

    static func unknown(_ name: String, table: String, columns: [TableColumn]) -> SkillFailure {
        SkillFailure(.schemaMismatch, ColumnLookup.missing(name, in: "the table \(table)", among: columns.map(\.name)))
    }

    static func refused(table: String, target: ColumnSpec, count: Int, examples: [String]) -> SkillFailure {
        SkillFailure(
            .schemaMismatch,
            "\(count) stored value\(count == 1 ? " of \(table).\(target.name) is" : "s of \(table).\(target.name) are") not \(target.expectation) (e.g. \(examples.map { Text.quoted($0, limit: 40) }.joined(separator: ", "))); nothing was changed: fix those rows, or retype to a wider type (string holds anything)"
        )
    }
}
