/// "1 run", "3 runs": counted nouns for what heal prints, so no line says "1 rows".
public enum Noun {
    public static func count(_ n: Int, _ singular: String, plural: String? = nil) -> String {
        "\(n) \(word(n, singular, plural: plural))"
    }

    /// The noun alone, for a count printed elsewhere: "3 scheduled pipelines".
    public static func word(_ n: Int, _ singular: String, plural: String? = nil) -> String {
        n == 1 ? singular : plural ?? singular + "s"
    }
}
