public enum HealVersion { public static let string = "0.1.0" }
