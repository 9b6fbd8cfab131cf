import Foundation

/// `SaleID` → `sale_id`, `Product Name` → `product_name`, `order-date` → `order_date`.
public enum SnakeCase {
    public static func convert(_ name: String) -> String {
        let chars = Array(name.trimmingCharacters(in: .whitespaces))
        var out = ""
        for (i, c) in chars.enumerated() {
            if c == " " || c == "-" || c == "." || c == "_" {
                if !out.hasSuffix("_") { out.append("_") }
                continue
            }
            if c.isUppercase, i > 0 {
                let previous = chars[i - 1]
                let nextIsLower = i + 1 < chars.count && chars[i + 1].isLowercase
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && nextIsLower) {
                    if !out.hasSuffix("_") { out.append("_") }
                }
            }
            out += c.lowercased()
        }
        return out
    }
}
