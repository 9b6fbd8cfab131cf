import Foundation

/// A date, or a date and time with an optional UTC offset, as read from text; prints as ISO 8601.
public struct DateTimeText: Sendable, Equatable, CustomStringConvertible {
    public var date: CalendarDate
    public var hour = 0, minute = 0, second = 0
    /// Fraction-of-second digits as written (`5` → printed `.500`).
    public var fraction = ""
    public var hasTime = false
    /// `Z` or `+05:00`; nil when the text had none.
    public var offset: String?

    /// `2003-09-25`, or `2003-09-25T10:49:41.502-03:00`.
    public var description: String {
        guard hasTime else { return date.description }
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        var out = "\(date)T\(two(hour)):\(two(minute)):\(two(second))"
        if !fraction.isEmpty { out += "." + (fraction.count < 3 ? fraction + String(repeating: "0", count: 3 - fraction.count) : fraction) }
        return out + (offset ?? "")
    }

    init(date: CalendarDate) { self.date = date }

    /// Sets the time; false when it is not a time of day (hour 24 included: ISO's 24:00 is the next day).
    mutating func setTime(_ h: Int, _ m: Int, _ s: Int, fraction: String) -> Bool {
        guard (0...23).contains(h), (0...59).contains(m), (0...59).contains(s) else { return false }
        hour = h
        minute = m
        second = s
        self.fraction = fraction
        hasTime = true
        return true
    }
}

/// `auto` date parsing: ISO 8601 (extended and basic), numeric dates (month-first unless day-first), month names,
/// weekdays, ordinals, two-digit years, times with am/pm and fractions, and UTC offsets — as python-dateutil reads
/// them, but strict where it guesses: every token must be understood, or the value is rejected.
public enum AutoDate {
    static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let fullMonths = [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
    ]
    static let weekdays: Set<String> = [
        "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    ]

    public static func parse(_ text: String, dayFirst: Bool = false, referenceYear: Int = AutoDate.currentYear) -> DateTimeText? {
        let t = text.trimmingCharacters(in: .whitespaces)
        guard !t.isEmpty, t.count <= 64 else { return nil }
        if let iso = isoLike(Array(t.utf8)) { return iso }
        return general(t, dayFirst: dayFirst, referenceYear: referenceYear)
    }

    /// Read once: a default argument is evaluated on every call, and this one builds a Calendar.
    public static let currentYear = Calendar(identifier: .gregorian).component(.year, from: Date())

    /// ISO 8601 shapes that start with a four-digit year and digits: `.some(nil)` means it is ISO-shaped but invalid.
    static func isoLike(_ b: [UInt8]) -> DateTimeText?? {
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for k in 0..<n {
                let c = b[i + k]
                guard c >= 48 && c <= 57 else { return nil }
                v = v * 10 + Int(c - 48)
            }
            i += n
            return v
        }
        func at(_ c: Character) -> Bool { i < b.count && b[i] == c.asciiValue! }
        guard let year = digits(4) else { return nil }
        let basic: Bool
        let month: Int
        let day: Int
        if at("-") {
            guard i + 1 < b.count, b[i + 1] >= 48, b[i + 1] <= 57 else { return nil }
            i += 1
            guard let m = digits(2), at("-") else { return .some(nil) }
            i += 1
            guard let d = digits(2) else { return .some(nil) }
            month = m
            day = d
            basic = false
        } else if let m = digits(2), let d = digits(2) {
            month = m
            day = d
            basic = true
        } else {
            return nil
        }
        guard let date = CalendarDate(year: year, month: month, day: day) else { return .some(nil) }
        var value = DateTimeText(date: date)
        if i == b.count { return value }
        guard at("T") || at("t") || (!basic && at(" ")) else { return basic ? .some(nil) : nil }
        i += 1
        guard let h = digits(2) else { return .some(nil) }
        var m = 0
        var s = 0
        var fraction = ""
        if basic {
            guard let mm = digits(2) else { return .some(nil) }
            m = mm
            if let ss = digits(2) { s = ss }
        } else {
            guard at(":") else { return .some(nil) }
            i += 1
            guard let mm = digits(2) else { return .some(nil) }
            m = mm
            if at(":") {
                i += 1
                guard let ss = digits(2) else { return .some(nil) }
                s = ss
            }
        }
        if at(".") || at(",") {
            i += 1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            guard i > start else { return .some(nil) }
            fraction = String(decoding: b[start..<i], as: UTF8.self)
        }
        guard value.setTime(h, m, s, fraction: fraction) else { return .some(nil) }
        if i == b.count { return value }
        if (at("Z") || at("z")) && i + 1 == b.count {
            value.offset = "Z"
            return value
        }
        guard at("+") || at("-") else { return .some(nil) }
        let sign = b[i] == UInt8(ascii: "+") ? "+" : "-"
        i += 1
        guard let oh = digits(2) else { return .some(nil) }
        if at(":") { i += 1 }
        guard let om = digits(2), i == b.count, oh <= 14, om <= 59 else { return .some(nil) }
        value.offset = "\(sign)\(oh < 10 ? "0" : "")\(oh):\(om < 10 ? "0" : "")\(om)"
        return value
    }

    enum Token: Equatable {
        case number(String, apostrophe: Bool)
        case word(String)
        case symbol(Character)
    }

    static func tokens(_ text: String) -> [Token] {
        var out: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isASCII && c.isNumber {
                var j = i
                while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 }
                let apostrophe = i > 0 && chars[i - 1] == "'"
                out.append(.number(String(chars[i..<j]), apostrophe: apostrophe))
                i = j
            } else if c.isLetter {
                var j = i
                while j < chars.count, chars[j].isLetter { j += 1 }
                out.append(.word(String(chars[i..<j]).lowercased()))
                i = j
            } else {
                if c != "'" { out.append(.symbol(c)) }
                i += 1
            }
        }
        return out
    }

    static func general(_ text: String, dayFirst: Bool, referenceYear: Int) -> DateTimeText? {
        var tokens = tokens(text)
        var time: (h: Int, m: Int, s: Int, fraction: String)?
        var offset: String?
        // The time: n:n[:n[.n]] with an optional am/pm after it, and an optional offset after that.
        if let colon = tokens.firstIndex(of: .symbol(":")), colon > 0, case .number(let hText, _) = tokens[colon - 1],
            colon + 1 < tokens.count, case .number(let mText, _) = tokens[colon + 1]
        {
            var end = colon + 2
            var s = 0
            var fraction = ""
            if end + 1 < tokens.count, tokens[end] == .symbol(":"), case .number(let sText, _) = tokens[end + 1] {
                s = Int(sText) ?? 99
                end += 2
                if end + 1 < tokens.count, tokens[end] == .symbol(".") || tokens[end] == .symbol(","),
                    case .number(let f, _) = tokens[end + 1]
                {
                    fraction = f
                    end += 2
                }
            }
            var h = Int(hText) ?? 99
            var k = end
            while k < tokens.count, tokens[k] == .symbol(" ") { k += 1 }
            if k < tokens.count, case .word(let w) = tokens[k], w == "am" || w == "pm" || w == "a" || w == "p" {
                guard (1...12).contains(h) else { return nil }
                h = (w.hasPrefix("p") ? (h % 12) + 12 : h % 12)
                end = k + 1
            }
            time = (h, Int(mText) ?? 99, s, fraction)
            // An offset right after the time: -0300, +05:00, Z.
            k = end
            while k < tokens.count, tokens[k] == .symbol(" ") { k += 1 }
            if k + 1 < tokens.count, tokens[k] == .symbol("+") || tokens[k] == .symbol("-"), case .number(let o, _) = tokens[k + 1] {
                var digits = o
                var last = k + 1
                if digits.count == 2, last + 2 < tokens.count, tokens[last + 1] == .symbol(":"), case .number(let om, _) = tokens[last + 2],
                    om.count == 2
                {
                    digits += om
                    last += 2
                }
                guard digits.count == 4, let oh = Int(digits.prefix(2)), let om = Int(digits.suffix(2)), oh <= 14, om <= 59 else {
                    return nil
                }
                offset = "\(tokens[k] == .symbol("+") ? "+" : "-")\(digits.prefix(2)):\(digits.suffix(2))"
                end = last + 1
            } else if k < tokens.count, tokens[k] == .word("z") || tokens[k] == .word("utc") || tokens[k] == .word("gmt") {
                offset = "Z"
                end = k + 1
            }
            tokens.removeSubrange((colon - 1)..<end)
        }
        // What is left must be a date: numbers, a month name, and words that only decorate.
        var numbers: [(text: String, apostrophe: Bool)] = []
        var month: Int?
        var previousWasNumber = false
        for token in tokens {
            switch token {
            case .number(let n, let apostrophe):
                numbers.append((n, apostrophe))
                previousWasNumber = true
                continue
            case .word(let w):
                if let m = months.firstIndex(of: w) ?? fullMonths.firstIndex(of: w) ?? (w == "sept" ? 8 : nil) {
                    guard month == nil else { return nil }
                    month = m + 1
                } else if weekdays.contains(w) || w == "of" || w == "at" || w == "the" {
                    // decoration
                } else if previousWasNumber && ["st", "nd", "rd", "th"].contains(w) {
                    // ordinal suffix
                } else {
                    return nil
                }
            case .symbol(let c):
                guard " -/.,".contains(c) else { return nil }
            }
            previousWasNumber = false
        }
        var year: Int?
        var day: Int?
        func fullYear(_ n: (text: String, apostrophe: Bool)) -> Int? {
            guard let v = Int(n.text) else { return nil }
            if n.text.count >= 3 { return v }
            // Two-digit years: within 50 years of now, as dateutil does.
            var y = referenceYear / 100 * 100 + v
            if y > referenceYear + 49 { y -= 100 } else if y < referenceYear - 50 { y += 100 }
            return y
        }
        if let month {
            guard numbers.count == 2 else { return nil }
            let yearIndex: Int
            if let four = numbers.firstIndex(where: { $0.text.count == 4 || $0.apostrophe }) {
                yearIndex = four
            } else if let big = numbers.firstIndex(where: { (Int($0.text) ?? 0) > 31 }) {
                yearIndex = big
            } else {
                yearIndex = 1
            }
            year = fullYear(numbers[yearIndex])
            day = Int(numbers[1 - yearIndex].text)
            guard let year, let day, let date = CalendarDate(year: year, month: month, day: day) else { return nil }
            return finish(date, time, offset)
        }
        let values = numbers.map { Int($0.text) ?? -1 }
        if numbers.count == 1, numbers[0].text.count == 8 {
            // yyyyMMdd handled by isoLike; ddMMyyyy is too ambiguous to guess.
            return nil
        }
        guard numbers.count == 3 else { return nil }
        var m: Int
        var d: Int
        var y: Int
        if numbers[0].text.count == 4 {
            (y, m, d) = (values[0], values[1], values[2])
        } else {
            guard numbers[2].text.count == 4 || numbers[2].text.count == 2 else { return nil }
            y = fullYear(numbers[2]) ?? -1
            if dayFirst {
                (d, m) = (values[0], values[1])
                if m > 12 && d <= 12 { swap(&d, &m) }
            } else {
                (m, d) = (values[0], values[1])
                if m > 12 && d <= 12 { swap(&d, &m) }
            }
        }
        guard let date = CalendarDate(year: y, month: m, day: d) else { return nil }
        return finish(date, time, offset)
    }

    static func finish(_ date: CalendarDate, _ time: (h: Int, m: Int, s: Int, fraction: String)?, _ offset: String?) -> DateTimeText? {
        var value = DateTimeText(date: date)
        if let time {
            guard value.setTime(time.h, time.m, time.s, fraction: time.fraction) else { return nil }
            value.offset = offset
        } else if offset != nil {
            return nil
        }
        return value
    }
}
