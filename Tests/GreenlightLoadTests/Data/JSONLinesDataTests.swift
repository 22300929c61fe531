import Foundation
import GreenlightCore
import Testing

@testable import GreenlightLoad

@Suite("JSON-lines data feeds")
struct JSONLinesDataTests {
    typealias Fixtures = LoadFixtures

    @Test("values become text: strings as they are, anything else as its JSON text, compacted")
    func stringification() throws {
        let line = #"""
            {"s": "text", "i": 42, "d": 1.50, "e": 1e3, "neg": -0.0, "b": true, "f": false, "n": null,
             "a": [1, 2, {"k": "v, w"}], "o": {"x": 1, "y": "a b"}, "u": "caf\u00e9 \"q\"", "big": 12345678901234567890}
            """#.replacingOccurrences(of: "\n", with: "")
        let data = try Fixtures.load(line + "\n", as: "users.jsonl")
        #expect(data.columns == ["s", "i", "d", "e", "neg", "b", "f", "n", "a", "o", "u", "big"])
        #expect(
            data.rows == [
                [
                    "s": "text", "i": "42", "d": "1.50", "e": "1e3", "neg": "-0.0", "b": "true", "f": "false",
                    "n": "null", "a": #"[1,2,{"k":"v, w"}]"#, "o": #"{"x":1,"y":"a b"}"#, "u": "café \"q\"",
                    "big": "12345678901234567890",
                ]
            ])
    }

    @Test("columns are every key in the order first seen; blank lines and CRLF are fine")
    func columns() throws {
        let data = try Fixtures.load("{\"a\":1,\"b\":2}\r\n\n   \n{\"c\":3,\"a\":4}\r\n", as: "users.jsonl")
        #expect(data.columns == ["a", "b", "c"])
        #expect(data.rows == [["a": "1", "b": "2"], ["c": "3", "a": "4"]])
    }

    @Test("a repeated key keeps its last value")
    func repeatedKey() throws {
        let data = try Fixtures.load(#"{"a":1,"b":2,"a":"three"}"#, as: "users.jsonl")
        #expect(data.columns == ["a", "b"])
        #expect(data.rows == [["a": "three", "b": "2"]])
    }

    @Test(
        "errors say the file, the line and the column",
        arguments: [
            (
                "{\"a\":1}\n\n  \n{\"a\":2,}\n",
                "users.jsonl:4:8: invalid JSON: a trailing comma before '}' is not allowed; expected another member name"
            ),
            ("{\"a\":1}\n{\"né\": tru}\n", "users.jsonl:2:11: invalid JSON: unexpected '}'; expected 'true'"),
            ("{\"a\":1}\n[1, 2]\n", "users.jsonl:2: expected a JSON object, found an array"),
            ("\"just text\"\n", "users.jsonl:1: expected a JSON object, found a string"),
            ("\n\n", "users.jsonl has no rows; expected one JSON object per line"),
        ])
    func errors(text: String, message: String) throws {
        let error = try #require(try Fixtures.loadError(Array(text.utf8), as: "users.jsonl"))
        #expect(error.description == message)
    }
}
