import Foundation
import HealKit
import HealTesting
import Testing

@Suite("CSV reader and writer")
struct CSVTests {
    static let spectrumFiles: [String] = ["comma_in_quotes", "empty", "empty_crlf", "escaped_quotes", "json", "newlines", "newlines_crlf",
                           "quotes_and_newlines", "simple", "simple_crlf", "utf8"]

    @Test("csv-spectrum: every file parses to its JSON", arguments: spectrumFiles)
    func spectrumFile(name: String) throws {
        let csv = TestHome.suite("csv-spectrum/csvs/\(name).csv")
        let json = try Data(contentsOf: TestHome.suite("csv-spectrum/json/\(name).json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: json) as? [[String: String]])
        let reader = try CSVReader(url: csv)
        var rows: [[String: String]] = []
        while let record = try reader.next() {
            #expect(record.fields.count == reader.header.count)
            rows.append(Dictionary(uniqueKeysWithValues: zip(reader.header, record.fields)))
        }
        #expect(rows == expected)
    }

    @Test func bomCRLFAndLineNumbers() throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("a.csv", "\u{FEFF}id,note\r\n1,\"two\r\nlines\"\r\n2,plain\r\n")
        let reader = try CSVReader(url: home.url("a.csv"))
        #expect(reader.header == ["id", "note"])
        let first = try #require(try reader.next())
        #expect(first.fields == ["1", "two\r\nlines"])
        #expect(first.line == 2)
        let second = try #require(try reader.next())
        #expect(second.line == 4)
        #expect(second.row == 2)
        #expect(try reader.next() == nil)
    }

    @Test func unterminatedQuoteNamesItsLine() throws {
        let home = try TestHome()
        defer { home.remove() }
        try home.write("bad.csv", "id,note\n1,ok\n2,\"never closed\n3,x\n")
        let reader = try CSVReader(url: home.url("bad.csv"))
        #expect {
            while try reader.next() != nil {}
        } throws: { error in
            (error as? TableError)?.line == 3 && (error as? TableError)?.problem.contains("never closed") == true
        }
    }

    @Test func writerQuotesWhatNeedsQuotingAndRoundTrips() throws {
        let home = try TestHome()
        defer { home.remove() }
        let rows = [["plain", "with,comma", "with \"quote\"", "multi\nline", ""]]
        let writer = try CSVWriter(url: home.url("out.csv"), header: ["a", "b", "c", "d", "e"])
        for row in rows { try writer.write(row) }
        let digest = try writer.finish()
        #expect(digest.sha256 == (try FileDigest.sha256(of: home.url("out.csv"))).sha256)
        #expect(try home.read("out.csv") == "a,b,c,d,e\nplain,\"with,comma\",\"with \"\"quote\"\"\",\"multi\nline\",\n")
        let reader = try CSVReader(url: home.url("out.csv"))
        #expect(try reader.next()?.fields == rows[0])
    }

    @Test func unfinishedWriterLeavesNoFile() throws {
        let home = try TestHome()
        defer { home.remove() }
        do {
            let writer = try CSVWriter(url: home.url("staging/x.csv"), header: ["a"])
            try writer.write(["1"])
        }
        #expect(home.files(under: "staging").isEmpty)
    }

    @Test("records cut by a chunk boundary at every byte parse the same", arguments: [1, 2, 3, 5, 7, 64])
    func chunkBoundaries(chunk: Int) throws {
        let home = try TestHome()
        defer { home.remove() }
        let text = "\u{FEFF}id,note,amount\r\n1,\"two\r\nlines, \"\"quoted\"\"\",3.5\r\n2,,\n3,\"\",x\r4,plain,\"\"\"\"\n\n5,end,9"
        try home.write("c.csv", text)
        func read(_ size: Int) throws -> [[String]] {
            let reader = try CSVReader(url: home.url("c.csv"), chunkSize: size)
            var out = [reader.header]
            while let record = try reader.next() { out.append([String(record.line)] + record.fields) }
            return out
        }
        let whole = try read(1 << 20)
        #expect(whole == [["id", "note", "amount"], ["2", "1", "two\r\nlines, \"quoted\"", "3.5"], ["4", "2", "", ""],
                          ["5", "3", "", "x"], ["6", "4", "plain", "\""], ["8", "5", "end", "9"]])
        #expect(try read(chunk) == whole)
        for name in CSVTests.spectrumFiles {
            let url = TestHome.suite("csv-spectrum/csvs/\(name).csv")
            func all(_ size: Int) throws -> [[String]] {
                let reader = try CSVReader(url: url, chunkSize: size)
                var out = [reader.header]
                while let record = try reader.next() { out.append(record.fields) }
                return out
            }
            #expect(try all(chunk) == all(1 << 20), "\(name)")
        }
    }
}
