import Foundation
import HealKit
import Testing

@Suite("Typed values, dates and expressions")
struct ValueTests {
    @Test func integersAndDecimals() {
        #expect(ValueParser.integer("-42") == -42)
        #expect(ValueParser.integer("4.2") == nil)
        #expect(ValueParser.integer("") == nil)
        #expect(ValueParser.decimal("10.005") == Decimal(string: "10.005"))
        for bad in ["NaN", "Infinity", "1,000", "", "-", "+", ".", "1e", "e3", "1.2.3", "- 5", "5-"] {
            #expect(ValueParser.decimal(bad) == nil, "\(bad) should not parse")
        }
        // What PostgreSQL's numeric input reads, heal reads: no leading zero, a trailing point, a sign, an exponent.
        for (text, value) in [(".5", "0.5"), (".80", "0.8"), ("5.", "5"), ("+5", "5"), ("-0.0", "0"), ("1e3", "1000"), ("-1.5E-2", "-0.015")] {
            #expect(ValueParser.decimal(text) == Decimal(string: value), "\(text)")
            #expect(ValueParser.accepts(text, as: ColumnSpec(name: "a", type: .decimal)), "\(text)")
        }
        #expect(ValueParser.integer("+42") == 42)
        for (text, value) in [("on", true), ("OFF", false), ("tr", true), ("ye", true), ("fals", false), ("N", false), ("1", true)] {
            #expect(ValueParser.boolean(text) == value, "\(text)")
        }
        #expect(ValueParser.boolean("o") == nil)
        #expect(ValueParser.decimal("-12.50") == Decimal(string: "-12.5"))
        #expect(ValueParser.decimal("1234567890123456789.5") == Decimal(string: "1234567890123456789.5"))
        for (text, plain) in [("0.0001", "0.0001"), ("10.50", "10.5"), ("-0.01", "-0.01"), ("123456789012345678", "123456789012345678"), ("7", "7")] {
            #expect(ValueParser.decimal(text)?.plainText == plain)
        }
        #expect(ValueParser.boolean("Yes") == true)
        #expect(ValueParser.boolean("maybe") == nil)
    }

    @Test func datesWithExplicitFormats() throws {
        let formats = [DateFormat.iso, try #require(DateFormat("MM/dd/yyyy"))]
        #expect(CalendarDate.parse("2026-11-21", formats: formats)?.description == "2026-11-21")
        #expect(CalendarDate.parse("11/21/2026", formats: formats)?.description == "2026-11-21")
        for bad in ["2026-02-30", "0000-01-01", "N/A", "2026-11-1", "13/01/2026", "21.11.2026", "2026-11-21x"] {
            #expect(CalendarDate.parse(bad, formats: formats) == nil, "\(bad) should be rejected")
        }
        #expect(CalendarDate.parse("2024-02-29", formats: formats) != nil)
        #expect(DateFormat("yyyy-MM") == nil)
        let date = try #require(CalendarDate.parse("2026-03-01", format: .iso))
        #expect(date.adding(days: -1).description == "2026-02-28")
        #expect(date.format(try #require(DateFormat("yyyyMMdd"))) == "20260301")
    }

    @Test func expressionsComputeExactly() throws {
        let tax = try ColumnExpression.parse("round(amount * 0.08, 2)")
        #expect(tax.evaluate { _ in .number(Decimal(string: "19.99")!) } == .number(Decimal(string: "1.6")!))
        #expect(tax.evaluate { _ in .number(Decimal(string: "0.0625")!) }.text == "0.01")
        #expect(tax.evaluate { _ in .null } == .null)
        let mixed = try ColumnExpression.parse("coalesce(region, 'unknown')")
        #expect(mixed.evaluate { _ in .null }.text == "unknown")
        #expect(try ColumnExpression.parse("upper(trim(name))").evaluate { _ in .text("  ann ") }.text == "ANN")
        #expect(try ColumnExpression.parse("-a + b * 2 - (c / 4)").evaluate { name in
            .number(["a": 1, "b": 3, "c": 8][name]!)
        }.text == "3")
        #expect(try ColumnExpression.parse("a / 0").evaluate { _ in .number(1) } == .null)
    }

    @Test func badExpressionsAreExplained() {
        #expect(throws: ExpressionError.self) { try ColumnExpression.parse("rnd(amount)") }
        do {
            _ = try ColumnExpression.parse("rond(amount, 2)")
        } catch {
            #expect(error.message.contains("did you mean 'round'"))
        }
        #expect(throws: ExpressionError.self) { try ColumnExpression.parse("amount *") }
        #expect(throws: ExpressionError.self) { try ColumnExpression.parse("system('rm -rf /')") }
        #expect(throws: ExpressionError.self) { try ColumnExpression.parse("round(1, 2, 3)") }
    }

    @Test func snakeCase() {
        #expect(SnakeCase.convert("SaleID") == "sale_id")
        #expect(SnakeCase.convert("ProductID") == "product_id")
        #expect(SnakeCase.convert("Product Name") == "product_name")
        #expect(SnakeCase.convert("order-date") == "order_date")
        #expect(SnakeCase.convert("HTTPStatus") == "http_status")
        #expect(SnakeCase.convert("amount") == "amount")
    }

    @Test func templates() throws {
        let values = TemplateValues(date: CalendarDate(year: 2026, month: 11, day: 21)!, pipeline: "p", runID: "r",
                                    variables: ["region": "eu"], environment: ["BUCKET": "b1"])
        #expect(try Template(parsing: "s_{date:yyyyMMdd}_{var.region}_{env.BUCKET}_{date}.csv").render(values) == "s_20261121_eu_b1_2026-11-21.csv")
        #expect(throws: TemplateError.self) { try Template(parsing: "{dat}") }
        #expect(throws: TemplateError.self) { try Template(parsing: "{date:qq}") }
        #expect(throws: TemplateError.self) { try Template(parsing: "{var.missing}").render(values) }
        #expect(throws: TemplateError.self) { try Template(parsing: "{env.NOPE}").render(values) }
        #expect(throws: TemplateError.self) { try Template(parsing: "{date") }
    }
}
