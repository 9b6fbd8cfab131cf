import Foundation
import HealKit
import HealTesting
import Testing

@Suite("Types: auto dates, timestamps, number formats, booleans, patterns")
struct TypeTests {
    struct DateVector: Decodable, Sendable, CustomTestStringConvertible {
        var input: String
        var expected: String?
        var options: [String: Bool]?
        var testDescription: String { "\(input) → \(expected ?? "rejected")" }
    }

    static let dateVectors: [DateVector] = {
        let data = (try? Data(contentsOf: TestHome.suite("dates/vectors.json"))) ?? Data("[]".utf8)
        return (try? JSONDecoder().decode([DateVector].self, from: data)) ?? []
    }()

    @Test func theDateVectorsAreThere() {
        #expect(TypeTests.dateVectors.count == 55)
    }

    @Test("dates/vectors.json (python-dateutil's cases)", arguments: dateVectors)
    func autoDate(vector: DateVector) {
        let dayFirst = vector.options?["dayfirst"] ?? false
        var parsed = AutoDate.parse(vector.input, dayFirst: dayFirst, referenceYear: 2026)
        if vector.options?["ignoretz"] == true { parsed?.offset = nil }
        #expect(parsed?.description == vector.expected)
    }

    func accepts(_ text: String, _ column: ColumnSpec) -> Bool { ValueParser.accepts(text, as: column) }

    @Test func numbersWithSeparatorsAndCurrencyWhenDeclared() {
        var euro = NumberFormat()
        euro.decimalSeparator = UInt8(ascii: ",")
        euro.thousandsSeparator = UInt8(ascii: ".")
        euro.currency = ["€", "EUR"]
        #expect(euro.plain("1.234,56 €") == "1234.56")
        #expect(euro.plain("€ -7,5") == "-7.5")
        #expect(euro.plain("-€7,50") == "-7.50")
        #expect(euro.plain("12 EUR") == "12")
        #expect(euro.plain("1.5") == nil)        // grouping by threes: not 15
        #expect(euro.plain("1.234.5,0") == nil)
        #expect(euro.plain("12,") == nil)
        #expect(euro.plain("$5") == nil)
        var column = ColumnSpec(name: "amount", type: .decimal)
        #expect(!accepts("1.234,56", column))
        column.number = euro
        #expect(accepts("1.234,56", column))
        #expect(!accepts("1,234.56", column))
        var us = NumberFormat()
        us.thousandsSeparator = UInt8(ascii: ",")
        us.currency = ["$"]
        #expect(us.plain("$1,234,567.89") == "1234567.89")
        #expect(us.plain("1,23") == nil)
    }

    @Test func booleansWithTheirOwnTokens() {
        var column = ColumnSpec(name: "active", type: .boolean)
        #expect(accepts("yes", column))
        column.trueTokens = ["J", "ja"]
        column.falseTokens = ["N", "nein"]
        #expect(accepts("ja", column))
        #expect(accepts("NEIN", column))
        #expect(!accepts("yes", column))
    }

    @Test func timestampsWithExplicitFormats() throws {
        var column = ColumnSpec(name: "at", type: .timestamp, formats: [try #require(DateFormat("yyyy-MM-dd'T'HH:mm:ss.SSSXXX")), try #require(DateFormat("dd.MM.yyyy HH:mm"))])
        #expect(accepts("2026-11-21T08:15:30.250+01:00", column))
        #expect(accepts("21.11.2026 08:15", column))
        #expect(!accepts("2026-11-21 08:15", column))
        #expect(!accepts("21.11.2026 25:15", column))
        column.autoDates = true
        #expect(accepts("Nov 21 2026 8:15 pm", column))
    }

    @Test func autoDatesAreMonthFirstUnlessDayFirst() {
        var column = ColumnSpec(name: "d", type: .date, formats: [])
        column.autoDates = true
        #expect(accepts("10/09/2003", column))
        #expect(AutoDate.parse("10/09/2003")?.description == "2003-10-09")
        #expect(AutoDate.parse("10/09/2003", dayFirst: true)?.description == "2003-09-10")
        #expect(!accepts("2003-09-25T10:49:41", column))   // a date column takes dates, not instants
        #expect(!accepts("someday", column))
    }

    /// The byte matcher must answer exactly as NSRegularExpression does.
    @Test func bytePatternAgreesWithNSRegularExpression() throws {
        let patterns = ["^-?[0-9]+(\\.[0-9]{1,2})?$", "^[A-Z]{2}\\d{3}$", "a|b|cd", "^(ab|a)*c$", "x{2,}", "^\\w+@\\w+\\.(com|org)$",
                        "[^0-9]", "^$", "^(a*)*$", "colou?r", "^\\s*\\S+\\s*$", "^[a-c-]+$", "\\.", "^S[0-9]{9}$", "(?:foo)+bar"]
        let values = ["12", "12.5", "12.50", "12.505", "-3", "+3", ".5", "1e3", "AB123", "ab123", "AB1234", "a", "cd", "c", "abababc",
                      "xx", "x", "me@example.com", "me@example.net", "", "aaaa", "color", "colour", "  word  ", "two words",
                      "a-b", "S000000001", "foofoobar", "héllo", "NaN", "12.", "0.01"]
        for pattern in patterns {
            let ours = try BytePattern(pattern)
            let reference = try NSRegularExpression(pattern: pattern)
            for value in values {
                var copy = value
                let mine = copy.withUTF8 { ours.matches(FieldBytes($0)) }
                let theirs = reference.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
                #expect(mine == theirs, "pattern \(pattern) on '\(value)'")
            }
        }
    }
}
