import Foundation
import HealKit
import HealTesting
import Testing

@Suite("Readers: delimiters, encodings, gzip, JSON")
struct ReaderTests {
    /// Every row of a file read the way a run reads it: format detected, then streamed in batches.
    func rows(_ url: URL, options: TableFormat.Options = .init()) throws -> (format: TableFormat, header: [String], rows: [[String]], lines: [Int]) {
        let format = try TableFormat.detect(url, options: options)
        let reader = try Tables.open(url, format: format)
        var rows: [[String]] = [], lines: [Int] = []
        try reader.forEachRow { row in
            rows.append(row.strings)
            lines.append(row.line)
        }
        return (format, reader.header, rows, lines)
    }

    func gzip(_ data: Data, to url: URL) throws {
        let plain = url.deletingPathExtension()
        try data.write(to: plain)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-f", plain.path]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }

    @Test("the delimiter is sniffed: comma, semicolon, tab, pipe", arguments: [",", ";", "\t", "|"])
    func sniffedDelimiter(delimiter: String) throws {
        let home = try TestHome()
        defer { home.remove() }
        // Decimal commas inside a ';' file must not make ',' look like the delimiter.
        let lines: [[String]] = [["id", "amount", "note"], ["1", "12,50", "\"a\(delimiter)b\""], ["2", "3,00", "plain"]]
        var text = ""
        for line in lines { text += line.joined(separator: delimiter) + "\n" }
        let commaText = "id,amount,note\n1,12.50,\"a,b\"\n2,3.00,plain\n"
        try home.write("d.csv", delimiter == "," ? commaText : text)
        let read = try rows(home.url("d.csv"))
        #expect(read.format.delimiter == delimiter.utf8.first!)
        #expect(read.header == ["id", "amount", "note"])
        #expect(read.rows.count == 2)
        #expect(read.rows[0][2] == "a\(delimiter)b")
    }

    @Test func anExplicitDelimiterWins() throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("d.csv", "a;b|c\n1;2|3\n")
        var options = TableFormat.Options()
        options.delimiter = UInt8(ascii: "|")
        let read = try rows(home.url("d.csv"), options: options)
        #expect(read.header == ["a;b", "c"])
        #expect(read.rows == [["1;2", "3"]])
    }

    @Test func latin1AndWindows1252AreTranscoded() throws {
        let home = try TestHome()
        defer { home.remove() }
        // "Müller;€ 5" in Windows-1252: ü = 0xFC, € = 0x80.
        let bytes: [UInt8] = Array("name;price\n".utf8) + [0x4D, 0xFC, 0x6C, 0x6C, 0x65, 0x72, 0x3B, 0x80, 0x20, 0x35, 0x0A]
        try Data(bytes).write(to: home.url("w.csv"))
        let read = try rows(home.url("w.csv"))
        #expect(read.format.encoding == .windows1252)
        #expect(read.rows == [["Müller", "€ 5"]])
        var options = TableFormat.Options()
        options.encoding = .latin1
        let latin = try rows(home.url("w.csv"), options: options)
        #expect(latin.rows[0][0] == "Müller")
        #expect(latin.rows[0][1] == "\u{80} 5")
    }

    @Test("UTF-16 with a BOM, both byte orders", arguments: [true, false])
    func utf16(littleEndian: Bool) throws {
        let home = try TestHome()
        defer { home.remove() }
        let text = "id,name\r\n1,Zoë\r\n2,\"日本, 語\"\r\n3,😀\r\n"
        var data = Data(littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF])
        for unit in text.utf16 {
            let v = littleEndian ? unit.littleEndian : unit.bigEndian
            withUnsafeBytes(of: v) { data.append(contentsOf: $0) }
        }
        try data.write(to: home.url("u.csv"))
        let read = try rows(home.url("u.csv"))
        #expect(read.format.encoding == (littleEndian ? .utf16le : .utf16be))
        #expect(read.header == ["id", "name"])
        #expect(read.rows == [["1", "Zoë"], ["2", "日本, 語"], ["3", "😀"]])
        #expect(read.lines == [2, 3, 4])
    }

    @Test func invalidUTF8NamesItsLineAndTheFix() throws {
        let home = try TestHome()
        defer { home.remove() }
        // Valid UTF-8 for the first 64 KiB (so detection says UTF-8), then a Latin-1 byte on line 2,003.
        var bytes = Array("id,note\n".utf8)
        for i in 1...2001 { bytes += Array("\(i),\(String(repeating: "é", count: 20))\n".utf8) }
        bytes += Array("2002,caf".utf8) + [0xE9] + Array("\n2003,ok\n".utf8)
        try Data(bytes).write(to: home.url("bad.csv"))
        let format = try TableFormat.detect(home.url("bad.csv"))
        #expect(format.encoding == .utf8)
        let reader = try Tables.open(home.url("bad.csv"), format: format)
        #expect {
            try reader.forEachRow { _ in }
        } throws: { error in
            guard let error = error as? TableError else { return false }
            return error.line == 2003 && error.problem.contains("invalid UTF-8") && error.problem.contains("encoding: windows-1252")
        }
    }

    /// The reading thread hands batches over in file order, then the error of a later batch where it belongs,
    /// and a caller that stops early does not leave it blocked.
    @Test func prefetchingKeepsOrderErrorsAndLetsGo() throws {
        let home = try TestHome()
        defer { home.remove() }
        var text = "id,v\n"
        for i in 1...20_000 { text += "\(i),x\n" }
        try (text + "20001,\"never closed\n").write(to: home.url("in.csv"), atomically: true, encoding: .utf8)
        let url = home.url("in.csv")
        let reader = PrefetchingReader(try Tables.open(url, format: TableFormat.detect(url)), depth: 2)
        #expect(reader.header == ["id", "v"])
        var seen: [Int] = []
        #expect {
            try reader.forEachRow { row in seen.append(Int(row.string(0))!) }
        } throws: { error in (error as? TableError)?.line == 20_002 }
        #expect(seen.count == 20_000)
        #expect(seen.first == 1)
        #expect(seen.last == 20_000)
        #expect(try reader.nextBatch() == nil)
        for _ in 0..<20 {
            let early = PrefetchingReader(try Tables.open(url, format: TableFormat.detect(url)), depth: 1)
            _ = try early.nextBatch()
        }
    }

    @Test func gzipIsRecognisedByItsMagicBytes() throws {
        let home = try TestHome()
        defer { home.remove() }
        var text = "id,amount\n"
        for i in 1...50_000 { text += "\(i),\(i % 97).25\n" }
        // Named .dat: recognised by content, not by the name.
        try gzip(Data(text.utf8), to: home.url("day.dat.gz"))
        try FileManager.default.moveItem(at: home.url("day.dat.gz"), to: home.url("day.dat"))
        let read = try rows(home.url("day.dat"))
        #expect(read.format.gzip)
        #expect(read.rows.count == 50_000)
        #expect(read.rows.last == ["50000", "45.25"])
    }

    @Test func aTruncatedGzipIsAParseErrorNotSilentTruncation() throws {
        let home = try TestHome()
        defer { home.remove() }
        var text = "id,amount\n"
        for i in 1...20_000 { text += "\(i),\(i * 7 % 1000).5\n" }
        try gzip(Data(text.utf8), to: home.url("day.csv.gz"))
        let full = try Data(contentsOf: home.url("day.csv.gz"))
        try full.prefix(full.count / 2).write(to: home.url("cut.csv.gz"))
        let format = try TableFormat.detect(home.url("cut.csv.gz"))
        let reader = try Tables.open(home.url("cut.csv.gz"), format: format)
        #expect {
            try reader.forEachRow { _ in }
        } throws: { error in
            (error as? TableError)?.problem.contains("truncated") == true
        }
    }

    @Test func jsonLinesFlattenNestedObjects() throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("o.jsonl", """
            {"id": 1, "amount": 12.50, "customer": {"id": "C1", "tier": "gold"}, "tags": ["a", "b"]}

            {"id": 2, "amount": 1e3, "customer": {"id": "C2"}, "note": "line\\nbreak \\u00e9\\ud83d\\ude00", "ok": true, "gone": null}
            """)
        let read = try rows(home.url("o.jsonl"))
        #expect(read.format.kind == .jsonl)
        #expect(read.header == ["id", "amount", "customer.id", "customer.tier", "tags", "note", "ok", "gone"])
        #expect(read.rows[0] == ["1", "12.50", "C1", "gold", "[\"a\", \"b\"]", "", "", ""])
        #expect(read.rows[1] == ["2", "1e3", "C2", "", "", "line\nbreak é😀", "true", ""])
        #expect(read.lines == [1, 3])
    }

    @Test func aJSONArrayStreamsItsElements() throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("a.json", "[\n  {\"id\": 1, \"v\": \"x\"},\n  {\"id\": 2,\n   \"v\": \"y, z\"}\n]\n")
        let read = try rows(home.url("a.json"))
        #expect(read.format.kind == .json)
        #expect(read.rows == [["1", "x"], ["2", "y, z"]])
        #expect(read.lines == [2, 3])
    }

    @Test func malformedJSONNamesTheLine() throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("b.jsonl", "{\"id\": 1}\n{\"id\": 2,}\n")
        let format = try TableFormat.detect(home.url("b.jsonl"))
        #expect {
            _ = try Tables.open(home.url("b.jsonl"), format: format)
        } throws: { error in
            (error as? TableError)?.line == 2
        }
    }

    @Test func aFieldOverTheLimitIsAnErrorNotAnAllocation() throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("big.csv", "id,blob\n1,\"" + String(repeating: "x", count: 5000) + "\"\n")
        var options = TableFormat.Options()
        options.maxFieldBytes = 1000
        let format = try TableFormat.detect(home.url("big.csv"), options: options)
        let reader = try Tables.open(home.url("big.csv"), format: format)
        #expect {
            try reader.forEachRow { _ in }
        } throws: { error in
            (error as? TableError)?.line == 2 && (error as? TableError)?.problem.contains("max_field_bytes") == true
        }
    }

    @Test func quarantinedRowsAreLeftOutOfTheView() throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("v.csv", "id\n1\n2\n3\n4\n5\n")
        let reader = try Tables.open(home.url("v.csv"), format: TableFormat(), excluding: RowSet([2, 5]))
        var seen: [(String, Int)] = []
        try reader.forEachRow { seen.append(($0.string(0), $0.row)) }
        #expect(seen.map(\.0) == ["1", "3", "4"])
        #expect(seen.map(\.1) == [1, 3, 4])
    }
}

@Suite("heal infer")
struct InferTests {
    @Test func theBinaryProfilesAFileIntoADraftContract() async throws {
        let home = try TestHome()
        defer { home.remove() }
        var text = "order_id;placed;total;paid;note\n"
        for i in 1...200 { text += "O\(i);\(String(format: "%02d", i % 28 + 1)).11.2026;\(i % 50),5\(i % 10);\(i % 2 == 0 ? "yes" : "no");\(i % 10 == 0 ? "" : "n\(i % 7)")\n" }
        try home.write("orders.csv", text)
        let result = try await HealProcess.run(["infer", home.url("orders.csv").path], home: home)
        #expect(result.status == 0)
        let out = result.stdout
        #expect(out.contains("format: { delimiter: \";\" }"))
        #expect(out.contains("- { name: order_id, type: string, nullable: false }"))
        #expect(out.contains("candidate key"))
        #expect(out.contains("- { name: placed, type: date, formats: [dd.MM.yyyy] }"))
        #expect(out.contains("- { name: total, type: decimal, decimal_separator: \",\" }"))
        #expect(out.contains("- { name: paid, type: boolean }"))
        #expect(out.contains("name: note, type: string }  # null 10.0%"))
        // The draft is a contract heal itself accepts.
        try FileManager.default.createDirectory(at: home.url("skills"), withIntermediateDirectories: true)
        try home.write("skills/orders.yml", out)
        let (config, errors) = ProjectConfig.load(from: home.healHome)
        #expect(errors.isEmpty, "\(errors)")
        #expect(config.skills["orders"] != nil)
    }
}
