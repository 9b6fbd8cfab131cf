import Foundation

/// Column names as people abbreviate them: `Qty`, `amt_total`, `cust`, `client_id`, `txn_no`, `SKU` are read as
/// the words they stand for, so a name can be compared with a contract column by meaning, not spelling.
public enum ColumnNames {
    /// Abbreviations and synonyms → the word (or words) they mean. Lower case, one token each.
    public static let synonyms: [String: [String]] = [
        // quantity
        "qty": ["quantity"], "qnty": ["quantity"], "quantity": ["quantity"], "units": ["quantity"], "pcs": ["quantity"],
        "menge": ["quantity"],
        // amount
        "amt": ["amount"], "amount": ["amount"], "amnt": ["amount"], "value": ["amount"], "betrag": ["amount"], "importe": ["amount"],
        "montant": ["amount"],
        // customer
        "cust": ["customer"], "customer": ["customer"], "client": ["customer"], "buyer": ["customer"], "cliente": ["customer"],
        "kunde": ["customer"],
        "custid": ["customer", "id"], "cid": ["customer", "id"],
        // product
        "prod": ["product"], "product": ["product"], "item": ["product"], "article": ["product"], "artikel": ["product"],
        "produit": ["product"],
        "sku": ["product", "id"], "ean": ["product", "id"], "upc": ["product", "id"], "pid": ["product", "id"],
        // sale / order
        "txn": ["sale"], "trx": ["sale"], "trans": ["sale"], "transaction": ["sale"], "sale": ["sale"], "sales": ["sale"],
        "order": ["sale"], "ord": ["sale"], "receipt": ["sale"],
        // identifiers
        "id": ["id"], "no": ["id"], "num": ["id"], "nbr": ["id"], "nr": ["id"], "number": ["id"], "code": ["id"], "key": ["id"],
        "ref": ["id"],
        // dates and times
        "dt": ["date"], "date": ["date"], "day": ["date"], "datum": ["date"], "fecha": ["date"],
        "ts": ["timestamp"], "timestamp": ["timestamp"], "datetime": ["timestamp"],
        // store
        "store": ["store"], "shop": ["store"], "branch": ["store"], "outlet": ["store"], "loc": ["store"], "location": ["store"],
        "filiale": ["store"],
        // channel
        "channel": ["channel"], "chan": ["channel"], "chnl": ["channel"],
    ]

    /// The name's words: CamelCase, snake_case, spaces and punctuation split; each word through `synonyms`.
    public static func words(_ name: String) -> [String] {
        let spaced = name.replacingOccurrences(of: "#", with: " no ")
        let parts = SnakeCase.convert(spaced).split { !$0.isLetter && !$0.isNumber }.map(String.init)
        return parts.flatMap { synonyms[$0] ?? [$0] }
    }

    /// How well `observed` names `column` (0…1): the same words score 0.9; a name that gained words 0.75 less
    /// 0.1 a word, one that lost words 0.7; otherwise shared words or spelling, discounted.
    public static func similarity(_ observed: String, _ column: ColumnSpec) -> Double {
        let o = normalised(observed)
        if o == normalised(column.name) { return 1 }
        if column.aliases.map(normalised).contains(o) { return 0.95 }
        return ([column.name] + column.aliases).map { similarity(words(observed), words($0), o, normalised($0)) }.max() ?? 0
    }

    static func similarity(_ a: [String], _ b: [String], _ plainA: String, _ plainB: String) -> Double {
        let setA = Set(a)
        let setB = Set(b)
        let shared = setA.intersection(setB).count
        let edit = 1 - Double(NearMiss.distance(plainA, plainB)) / Double(max(plainA.count, plainB.count, 1))
        var score = edit * 0.8
        if setA == setB {
            score = max(score, 0.9)
        } else if shared == setB.count, shared > 0 {
            score = max(score, 0.75 - 0.1 * Double(setA.count - shared))
        } else if shared == setA.count, shared > 0, setA != ["id"] {
            score = max(score, 0.7)
        } else if shared > 0 {
            score = max(score, Double(shared) / Double(setA.union(setB).count) * 0.6)
        }
        return score
    }

    /// `Sale ID` and `sale_id` and `SaleID` are one name.
    static func normalised(_ name: String) -> String {
        SnakeCase.convert(name).replacingOccurrences(of: "_", with: "")
    }
}
