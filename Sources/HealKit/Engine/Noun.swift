/// "1 run", "3 runs": counted nouns for what heal prints, so no line says "1 rows".
public enum Noun {
    public static func count(_ n: Int, _ singular: String, plural: String? = nil) -> String {
        "\(n) \(n == 1 ? singular : plural ?? singular + "s")"
    }
}
