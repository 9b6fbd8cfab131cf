/// Finding a column by name, and the one way heal says a name is not there: what lacks it, a bounded list of what
/// it has, and the nearest name. The names come from files, so the list is cut short and each name truncated.
public enum ColumnLookup {
    /// How many of the present columns a message lists.
    static let listed = 12

    /// "the file has no column 'amt' (columns: id, amount, date); did you mean 'amount'?"
    public static func missing(_ name: String, in what: String, among names: [String]) -> String {
        "\(what) has no column \(Text.quoted(name))" + present(names, near: name)
    }

    /// " (columns: id, amount); did you mean 'amount'?": what is there, cut short, and the nearest name.
    static func present(_ names: [String], near name: String) -> String {
        " (columns: \(Text.names(names, count: listed)))\(NearMiss.hint(for: name, among: names))"
    }

    /// The position of `name` among `names`, or a `schema_mismatch` failure: "the lookup file products.csv has no
    /// column …", or with a subject "rule not_null in skills/q.yml names column 'amont', which the file does not have …".
    public static func position(of name: String, among names: [String], in what: String, for subject: String? = nil) throws -> Int {
        guard let index = names.firstIndex(of: name) else {
            guard let subject else { throw SkillFailure(.schemaMismatch, missing(name, in: what, among: names)) }
            throw SkillFailure(
                .schemaMismatch,
                "\(subject) names column \(Text.quoted(name)), which \(what) does not have" + present(names, near: name)
            )
        }
        return index
    }
}
