import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightLoad

@Suite("CSV data feeds")
struct CSVDataTests {
    typealias Fixtures = LoadFixtures

    /// The rows as lists of values in column order.
    static func values(_ data: DataRows) -> [[String]] {
        data.rows.map { row in data.columns.map { row[$0] ?? "<missing>" } }
    }

    @Test(
        "quoting per RFC 4180",
        arguments: [
            ("a,b\n1,2\n", ["a", "b"], [["1", "2"]]),
            ("a,b\n\"x,y\",2\n", ["a", "b"], [["x,y", "2"]]),
            ("a,b\n\"say \"\"hi\"\"\",2", ["a", "b"], [["say \"hi\"", "2"]]),
            ("a\n\"\"\"\"\n", ["a"], [["\""]]),
            ("a,b\n\"line 1\nline 2\",2\n", ["a", "b"], [["line 1\nline 2", "2"]]),
            ("a,b\r\n\"l1\r\nl2\",2\r\n", ["a", "b"], [["l1\r\nl2", "2"]]),
            ("a,b,c\n,,\n", ["a", "b", "c"], [["", "", ""]]),
            ("a,b\n\"\",x\n", ["a", "b"], [["", "x"]]),
            ("a,b\n1,", ["a", "b"], [["1", ""]]),
            ("a,b\n 1 , 2 \n", ["a", "b"], [[" 1 ", " 2 "]]),
            ("name,city\nJosé,Zürich\n", ["name", "city"], [["José", "Zürich"]]),
            ("a\n1\n\n2\n\n\n", ["a"], [["1"], ["2"]]),
            ("\"a,1\",b\n1,2", ["a,1", "b"], [["1", "2"]]),
            ("a,b\r\n1,2\r\n3,4\r\n", ["a", "b"], [["1", "2"], ["3", "4"]]),
            ("a,b\n1\r,2\n", ["a", "b"], [["1\r", "2"]]),
        ])
    func quoting(text: String, columns: [String], rows: [[String]]) throws {
        let data = try Fixtures.load(text, as: "users.csv")
        #expect(data.columns == columns)
        #expect(Self.values(data) == rows)
        #expect(data.source == "users.csv")
    }

    @Test("a UTF-8 byte order mark is dropped, CRLF lines are read")
    func byteOrderMark() throws {
        let data = try Fixtures.load([0xEF, 0xBB, 0xBF] + Array("id,name\r\n1,Ann\r\n2,Bob\r\n".utf8), as: "users.csv")
        #expect(data.columns == ["id", "name"])
        #expect(data.rows == [["id": "1", "name": "Ann"], ["id": "2", "name": "Bob"]])
    }

    @Test(
        "errors say the file and the line",
        arguments: [
            ("a,b\n1,2\n3,4,5\n", "users.csv:3: row has 3 fields, the header has 2"),
            ("a,b\n\"x\ny\",2\n1\n", "users.csv:4: row has 1 field, the header has 2"),
            ("a,b\n1,2\n3,\"abc\n4,5\n", "users.csv:3:3: the quoted field that opens here is never closed"),
            (
                "a,b\n\"x\"y,2\n",
                "users.csv:2:4: unexpected 'y' after the closing quote of a field; write a quote inside a quoted field twice (\"\")"
            ),
            (
                "a,b\n1, \"2\"\n",
                "users.csv:2:4: a quote inside an unquoted field; quote the whole field and write the quote twice (\"5\"\" screen\"), with no space before the opening quote"
            ),
            ("id,name,id\n1,2,3\n", "users.csv:1: the header names 'id' twice (columns 1 and 3)"),
            ("id,,x\n1,2,3\n", "users.csv:1: column 2 of the header has no name"),
            ("id,name\n", "users.csv has a header but no rows"),
            ("id,name\r\n\r\n", "users.csv has a header but no rows"),
            ("", "users.csv is empty; expected a header row naming the columns"),
            (
                "é,b\n1,2\n\"ü\"x,2",
                "users.csv:3:4: unexpected 'x' after the closing quote of a field; write a quote inside a quoted field twice (\"\")"
            ),
        ])
    func errors(text: String, message: String) throws {
        let error = try Fixtures.loadError(Array(text.utf8), as: "users.csv")
        #expect(error?.description == message)
    }

    @Test("invalid UTF-8 is an error at its line and column")
    func invalidUTF8() throws {
        let bytes = Array("id,name\n1,Ann\n2,B".utf8) + [0xC3, 0x28] + Array("b\n".utf8)
        let error = try #require(try Fixtures.loadError(bytes, as: "users.csv"))
        #expect(error.description == "users.csv:3:4: the text is not valid UTF-8; save the file as UTF-8")
        #expect(error.line == 3)
    }

    @Test("a relative path is read from the spec's folder; an absolute one as it is")
    func paths() throws {
        let temporary = try TemporaryFolder("greenlight-load")
        defer { temporary.remove() }
        let folder = temporary.path
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        try "id\n7\n".write(toFile: folder + "/data/users.csv", atomically: true, encoding: .utf8)
        let relative = try DataRows.load(.make("data/users.csv"), directory: folder)
        #expect(relative.rows == [["id": "7"]])
        #expect(relative.source == "data/users.csv")
        let absolute = try DataRows.load(.make(folder + "/data/users.csv"), directory: "/nonexistent")
        #expect(absolute.rows == [["id": "7"]])
    }

    @Test("a file that cannot be read says why")
    func unreadable() throws {
        let temporary = try TemporaryFolder("greenlight-load")
        defer { temporary.remove() }
        let folder = temporary.path
        try FileManager.default.createDirectory(atPath: folder + "/data", withIntermediateDirectories: true)
        #expect(throws: DataFeedError(path: "data/users.csv", reason: "cannot read data/users.csv: no such file")) {
            try DataRows.load(.make("data/users.csv"), directory: folder)
        }
        #expect(throws: DataFeedError(path: "data", reason: "cannot read data: it is a directory")) {
            try DataRows.load(.make("data"), directory: folder)
        }
    }

    @Test("shards split the rows without overlap", arguments: [1, 2, 3, 7, 12])
    func slices(count: Int) {
        let rows = (0..<10).map { ["id": String($0)] }
        let data = DataRows(columns: ["id"], rows: rows, source: "users.csv")
        let slices = (1...count).map { data.slice(shard: $0, of: count) }
        let ids = slices.flatMap { $0.rows.compactMap { $0["id"] } }
        #expect(ids.count == 10)
        #expect(Set(ids) == Set((0..<10).map(String.init)))
        #expect(slices[0].rows.first == ["id": "0"])
        #expect(slices.allSatisfy { $0.columns == ["id"] && $0.source == "users.csv" })
        if count == 3 {
            #expect(
                slices.map { $0.rows.compactMap { $0["id"] } } == [
                    ["0", "3", "6", "9"], ["1", "4", "7"], ["2", "5", "8"],
                ])
        }
    }
}
