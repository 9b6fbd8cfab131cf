import Foundation

/// A date pattern built from `yyyy`, `yy`, `MM`, `M`, `MMM` (Nov), `MMMM` (November), `dd`, `d`, times
/// (`HH`, `mm`, `ss`, `S…`, `X…`) and literal characters (`MM/dd/yyyy`, `d MMM yyyy`).
public struct DateFormat: Sendable, Equatable, Codable, CustomStringConvertible {
    enum Token: Sendable, Equatable {
        case year4, year2, month2, month, monthAbbreviation, monthName, day2, day
        case hour2, minute2, second2, fraction(Int), offset
        case literal(Character)
    }

    public let pattern: String
    let tokens: [Token]
    /// No hour, minute, second or offset in it.
    public let isDateOnly: Bool

    public static let iso = DateFormat(validated: "yyyy-MM-dd")

    /// A parse format needs year, month and day; a format for writing (`{date:yyyy}` in a path) needs one of them.
    public init?(_ pattern: String, forWriting: Bool = false) {
        var tokens: [Token] = []
        var chars = Array(pattern)[...]
        var sawYear = false
        var sawMonth = false
        var sawDay = false
        while let c = chars.first {
            if c == "'" {
                // 'T': a quoted literal.
                let literal = chars.dropFirst().prefix { $0 != "'" }
                guard chars.count >= literal.count + 2 else { return nil }
                tokens.append(contentsOf: literal.map { .literal($0) })
                chars = chars.dropFirst(literal.count + 2)
                continue
            }
            let run = chars.prefix { $0 == c }.count
            chars = chars.dropFirst(run)
            switch (c, run) {
            case ("H", 2): tokens.append(.hour2)
            case ("m", 2): tokens.append(.minute2)
            case ("s", 2): tokens.append(.second2)
            case ("S", 1...9): tokens.append(.fraction(run))
            case ("X", 1...3): tokens.append(.offset)
            case ("y", 4):
                tokens.append(.year4)
                sawYear = true
            case ("y", 2):
                tokens.append(.year2)
                sawYear = true
            case ("M", 4):
                tokens.append(.monthName)
                sawMonth = true
            case ("M", 3):
                tokens.append(.monthAbbreviation)
                sawMonth = true
            case ("M", 2):
                tokens.append(.month2)
                sawMonth = true
            case ("M", 1):
                tokens.append(.month)
                sawMonth = true
            case ("d", 2):
                tokens.append(.day2)
                sawDay = true
            case ("d", 1):
                tokens.append(.day)
                sawDay = true
            case ("y", _), ("M", _), ("d", _): return nil
            default:
                if c.isLetter { return nil }
                tokens.append(contentsOf: Array(repeating: .literal(c), count: run))
            }
        }
        guard forWriting ? (sawYear || sawMonth || sawDay) : (sawYear && sawMonth && sawDay) else { return nil }
        self.pattern = pattern
        self.tokens = tokens
        isDateOnly = !tokens.contains { token in
            switch token {
            case .hour2, .minute2, .second2, .fraction, .offset: return true
            default: return false
            }
        }
    }

    private init(validated pattern: String) { self = DateFormat(pattern)! }

    /// Whether the pattern reads a UTC offset (`X`): its values are instants.
    public var hasOffset: Bool { tokens.contains(.offset) }

    public var description: String { pattern }

    /// What one scan of text against the pattern found; fraction is a byte range, so nothing is allocated.
    struct Fields {
        var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0
        var fraction: Range<Int>?
        /// The offset as written (`-03:00` keeps its sign even at zero); `utc` for a literal Z.
        var offset: (negative: Bool, hours: Int, minutes: Int)?
        var utc = false
    }

    /// Walks the tokens over `bytes`; nil unless the whole text fits the pattern.
    func scan(_ bytes: UnsafeBufferPointer<UInt8>) -> Fields? {
        var i = 0
        var f = Fields()
        func digits(_ min: Int, _ max: Int) -> Int? {
            var value = 0
            var count = 0
            while i < bytes.count, count < max, bytes[i] >= 48, bytes[i] <= 57 {
                value = value * 10 + Int(bytes[i] - 48)
                i += 1
                count += 1
            }
            return count >= min ? value : nil
        }
        for token in tokens {
            switch token {
            case .year4:
                guard let v = digits(4, 4) else { return nil }
                f.year = v
            case .year2:
                guard let v = digits(2, 2) else { return nil }
                f.year = 2000 + v
            case .month2:
                guard let v = digits(2, 2) else { return nil }
                f.month = v
            case .month:
                guard let v = digits(1, 2) else { return nil }
                f.month = v
            case .day2:
                guard let v = digits(2, 2) else { return nil }
                f.day = v
            case .day:
                guard let v = digits(1, 2) else { return nil }
                f.day = v
            case .monthAbbreviation, .monthName:
                let begin = i
                while i < bytes.count, (bytes[i] | 0x20) >= UInt8(ascii: "a"), (bytes[i] | 0x20) <= UInt8(ascii: "z") { i += 1 }
                guard let v = MonthNames.month(UnsafeBufferPointer(rebasing: bytes[begin..<i]), full: token == .monthName) else {
                    return nil
                }
                f.month = v
            case .hour2:
                guard let v = digits(2, 2) else { return nil }
                f.hour = v
            case .minute2:
                guard let v = digits(2, 2) else { return nil }
                f.minute = v
            case .second2:
                guard let v = digits(2, 2) else { return nil }
                f.second = v
            case .fraction(let n):
                let start = i
                guard digits(n, n) != nil else { return nil }
                f.fraction = start..<i
            case .offset:
                guard i < bytes.count else { return nil }
                if bytes[i] == UInt8(ascii: "Z") {
                    f.utc = true
                    i += 1
                    continue
                }
                guard bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") else { return nil }
                let negative = bytes[i] == UInt8(ascii: "-")
                i += 1
                guard let oh = digits(2, 2) else { return nil }
                if i < bytes.count, bytes[i] == UInt8(ascii: ":") { i += 1 }
                guard let om = digits(2, 2) else { return nil }
                f.offset = (negative, oh, om)
            case .literal(let c):
                for byte in c.utf8 {
                    guard i < bytes.count, bytes[i] == byte else { return nil }
                    i += 1
                }
            }
        }
        return i == bytes.count ? f : nil
    }

    /// The day a date or date-time text names, its time of day checked and left out (`2026-11-22T08:15:00+02:00`
    /// is 2026-11-22, as PostgreSQL reads a timestamp into a date).
    func day(_ bytes: UnsafeBufferPointer<UInt8>) -> CalendarDate? {
        if isDateOnly { return CalendarDate.parse(bytes: bytes, format: self) }
        return parseDateTime(bytes)?.date
    }

    /// Parses a timestamp with this pattern (`yyyy-MM-dd'T'HH:mm:ss.SSSXXX`); nil when the text does not fit.
    func parseDateTime(_ bytes: UnsafeBufferPointer<UInt8>) -> DateTimeText? {
        guard let f = scan(bytes), let date = CalendarDate(year: f.year, month: f.month, day: f.day) else { return nil }
        var value = DateTimeText(date: date)
        let fraction = f.fraction.map { String(decoding: UnsafeBufferPointer(rebasing: bytes[$0]), as: UTF8.self) } ?? ""
        guard value.setTime(f.hour, f.minute, f.second, fraction: fraction) else { return nil }
        if f.utc {
            value.offset = "Z"
        } else if let (negative, h, m) = f.offset {
            value.offset = "\(negative ? "-" : "+")\(h < 10 ? "0" : "")\(h):\(m < 10 ? "0" : "")\(m)"
        }
        return value
    }

    public init(from decoder: Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let format = DateFormat(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "bad date format \(text)"))
        }
        self = format
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(pattern)
    }
}

/// A calendar day (no time zone), parsed strictly against explicit formats.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var year: Int
    public var month: Int
    public var day: Int

    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= CalendarDate.daysIn(month: month, year: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// ISO 8601 `YYYY-MM-DD`.
    public var description: String { format(DateFormat.iso) }

    public static func < (a: CalendarDate, b: CalendarDate) -> Bool {
        (a.year, a.month, a.day) < (b.year, b.month, b.day)
    }

    public static func parse(_ text: String, formats: [DateFormat]) -> CalendarDate? {
        for format in formats {
            if let date = parse(text, format: format) { return date }
        }
        return nil
    }

    public static func parse(_ text: String, format: DateFormat) -> CalendarDate? {
        var text = text
        return text.withUTF8 { parse(bytes: $0, format: format) }
    }

    /// Parses without allocating: this runs once per row and format.
    static func parse(bytes: UnsafeBufferPointer<UInt8>, format: DateFormat) -> CalendarDate? {
        guard format.isDateOnly, let f = format.scan(bytes) else { return nil }
        return CalendarDate(year: f.year, month: f.month, day: f.day)
    }

    static func parse(bytes: UnsafeBufferPointer<UInt8>, formats: [DateFormat]) -> CalendarDate? {
        for format in formats {
            if let date = parse(bytes: bytes, format: format) { return date }
        }
        return nil
    }

    /// `YYYY-MM-DD` into a 10-byte buffer, without building a String.
    func writeISO(into out: inout [UInt8]) {
        out[0] = UInt8(48 + year / 1000 % 10)
        out[1] = UInt8(48 + year / 100 % 10)
        out[2] = UInt8(48 + year / 10 % 10)
        out[3] = UInt8(48 + year % 10)
        out[4] = UInt8(ascii: "-")
        out[5] = UInt8(48 + month / 10)
        out[6] = UInt8(48 + month % 10)
        out[7] = UInt8(ascii: "-")
        out[8] = UInt8(48 + day / 10)
        out[9] = UInt8(48 + day % 10)
    }

    public func format(_ format: DateFormat) -> String {
        var out = ""
        func pad(_ v: Int, _ width: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, width - s.count)) + s
        }
        for token in format.tokens {
            switch token {
            case .year4: out += pad(year, 4)
            case .year2: out += pad(year % 100, 2)
            case .month2: out += pad(month, 2)
            case .month: out += String(month)
            case .monthAbbreviation: out += MonthNames.full[month - 1].prefix(3)
            case .monthName: out += MonthNames.full[month - 1]
            case .day2: out += pad(day, 2)
            case .day: out += String(day)
            case .literal(let c): out.append(c)
            case .hour2, .minute2, .second2, .fraction, .offset: break
            }
        }
        return out
    }

    /// Days since 1970-01-01 (negative before it), by the proleptic Gregorian calendar: cheap enough for a
    /// value-per-row profile, where `adding(days:)` goes through Foundation.
    public var dayNumber: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// Whether the text is already a valid ISO day (`2026-11-18`): checked in place, as a load does per value.
    static func isISO(_ f: FieldBytes) -> Bool {
        guard f.count == 10, f[4] == UInt8(ascii: "-"), f[7] == UInt8(ascii: "-") else { return false }
        func number(_ from: Int, _ count: Int) -> Int? {
            var value = 0
            for i in from..<from + count {
                guard f[i] >= 48 && f[i] <= 57 else { return nil }
                value = value * 10 + Int(f[i] - 48)
            }
            return value
        }
        guard let year = number(0, 4), let month = number(5, 2), let day = number(8, 2), (1...12).contains(month) else { return false }
        return day >= 1 && day <= daysIn(month: month, year: year)
    }

    /// The day `dayNumber` days after 1970-01-01: the inverse of `dayNumber`.
    public init(dayNumber: Int) {
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let month = mp < 10 ? mp + 3 : mp - 9
        year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.month = month
        day = dayOfYear - (153 * mp + 2) / 5 + 1
    }

    /// The day `days` after (or before, when negative) this one.
    public func adding(days: Int) -> CalendarDate {
        var components = DateComponents(year: year, month: month, day: day)
        components.timeZone = TimeZone(identifier: "UTC")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let date = calendar.date(byAdding: .day, value: days, to: calendar.date(from: components)!)!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        return CalendarDate(year: c.year!, month: c.month!, day: c.day!)!
    }

    /// Today (or another instant's day) as seen in `timeZone`.
    public static func of(_ instant: Date, in timeZone: TimeZone) -> CalendarDate {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day], from: instant)
        return CalendarDate(year: c.year!, month: c.month!, day: c.day!)!
    }
}

/// English month names, matched without regard to case: `Nov`, `NOV`, `november`; `Sept` too.
enum MonthNames {
    static let full = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December",
    ]
    private static let lowerFull = full.map { Array($0.lowercased().utf8) }

    static func month(_ word: UnsafeBufferPointer<UInt8>, full: Bool) -> Int? {
        let lower = word.map { $0 | 0x20 }
        for (n, name) in lowerFull.enumerated() {
            if full ? lower == name : (lower.count == 3 && name.starts(with: lower)) || (n == 8 && lower == Array("sept".utf8)) {
                return n + 1
            }
        }
        return nil
    }
}
