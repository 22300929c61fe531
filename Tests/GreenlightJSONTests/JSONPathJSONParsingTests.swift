import Foundation
import Testing

@testable import GreenlightJSON

/// The strict RFC 8259 reader behind `JSONValue(parsing:)`.
@Suite("JSONPath: JSON parsing")
struct JSONPathJSONParsingTests {
    private func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try JSONValue(parsing: Data(text.utf8))
    }

    @Test(
        "numbers: integers that fit Int stay integers, everything else is a double",
        arguments: [
            ("0", JSONValue.int(0)), ("-0", .int(0)), ("42", .int(42)), ("-17", .int(-17)),
            ("9223372036854775807", .int(Int.max)), ("-9223372036854775808", .int(Int.min)),
            ("9223372036854775808", .double(9_223_372_036_854_775_808)),
            ("-9223372036854775809", .double(-9_223_372_036_854_775_808)),
            ("123456789012345678901234567890", .double(1.2345678901234568e29)),
            ("1.5", .double(1.5)), ("-0.25", .double(-0.25)), ("1e2", .double(100)), ("1E+2", .double(100)),
            ("2.5e-3", .double(0.0025)), ("1.0", .double(1)), ("1e-400", .double(0)),
            ("0.1", .double(0.1)), ("1.7976931348623157e308", .double(.greatestFiniteMagnitude)),
        ])
    func numbers(text: String, value: JSONValue) throws {
        let parsed = try parse(text)
        #expect(parsed == value)
        switch (parsed, value) {
        case (.int, .int), (.double, .double): break
        default: Issue.record("\(text) parsed as \(parsed), expected \(value)")
        }
    }

    @Test(
        "strings: every escape, surrogate pairs, raw UTF-8",
        arguments: [
            (#""""#, ""), (#""abc""#, "abc"), (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
            (#""\u00e9\u00E9""#, "\u{E9}\u{E9}"), (#""\ud83d\ude00""#, "😀"), (#""\uD834\uDD1E""#, "𝄞"),
            (#""\u0000""#, "\u{0}"), (#""\u001f\u007f""#, "\u{1F}\u{7F}"), ("\"é😀\u{7F}\"", "é😀\u{7F}"),
            (#""a\u0301""#, "a\u{301}"), (#""\u2028\u2029""#, "\u{2028}\u{2029}"), (#""\uFFFF""#, "\u{FFFF}"),
        ])
    func strings(text: String, value: String) throws {
        let parsed = try parse(text)
        guard case .string(let string) = parsed else {
            Issue.record("\(text) parsed as \(parsed)")
            return
        }
        #expect(Array(string.unicodeScalars) == Array(value.unicodeScalars))
    }

    @Test("structure: order kept, whitespace and a byte order mark allowed, any value at the top")
    func structure() throws {
        #expect(
            try parse(#" { "b" : 1 , "a" : [ true , false , null ] } "#)
                == .object([("b", .int(1)), ("a", .array([.bool(true), .bool(false), .null]))]))
        #expect(try parse("[]") == .array([]))
        #expect(try parse("{ }") == .object([]))
        #expect(try parse("\t\r\n[\n]\n") == .array([]))
        #expect(try parse("null") == .null)
        #expect(try parse("\"top\"") == .string("top"))
        #expect(try JSONValue(parsing: Data([0xEF, 0xBB, 0xBF] + Array("[1]".utf8))) == .array([.int(1)]))
        #expect(
            try parse(#"[[[]], {"": {"": []}}]"#)
                == .array([.array([.array([])]), .object([("", .object([("", .array([]))]))])]))
    }

    @Test("a repeated member name keeps its first position and its last value, in small and large objects")
    func duplicateMembers() throws {
        #expect(try parse(#"{"a": 1, "b": 2, "a": 3}"#) == .object([("a", .int(3)), ("b", .int(2))]))
        let many = (0..<40).map { "\"k\($0)\": \($0)" }.joined(separator: ", ")
        let parsed = try parse("{\(many), \"k3\": \"again\", \"k39\": null, \"new\": 1}")
        guard case .object(let members) = parsed else {
            Issue.record("not an object")
            return
        }
        #expect(members.count == 41)
        #expect(members[3] == ("k3", .string("again")))
        #expect(members[39] == ("k39", .null))
        #expect(members.last?.0 == "new")
        // Canonically equivalent but different names are different members.
        #expect(try parse(#"{"\u00e9": 1, "e\u0301": 2}"#) == .object([("\u{E9}", .int(1)), ("e\u{301}", .int(2))]))
    }

    @Test("nesting up to 512 levels is read; deeper is refused at the first bracket too many, however deep")
    func nesting() throws {
        let deepest = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        var value = try parse(deepest)
        var depth = 0
        while case .array(let elements) = value, let first = elements.first {
            value = first
            depth += 1
        }
        #expect(depth == 511)
        let objects = String(repeating: #"{"a":"#, count: 512) + "1" + String(repeating: "}", count: 512)
        #expect(try JSONPath(parsing: "$..a").select(in: parse(objects)).count == 512)

        for (text, offset) in [
            (String(repeating: "[", count: 513) + String(repeating: "]", count: 513), 512),
            (String(repeating: "[", count: 100_000), 512),
            // Two containers per six bytes: the 513th opens at byte 6 * 256.
            (String(repeating: #"{"a":["#, count: 50_000), 1536),
        ] {
            do {
                _ = try parse(text)
                Issue.record("accepted nesting deeper than 512")
            } catch {
                #expect(error.offset == offset)
                #expect(error.message == "arrays and objects are nested more than 512 levels deep")
            }
        }
    }

    @Test(
        "invalid documents: what was wrong, at which byte",
        arguments: [
            ("", 0, "empty"), ("  \n", 3, "empty"), ("[1,]", 3, "trailing comma before ']'"),
            (#"{"a":1,}"#, 7, "trailing comma before '}'"), ("[1 2]", 3, "',' or ']' after an array element"),
            (#"{"a":1 "b":2}"#, 7, "',' or '}' after an object member"), (#"{"a" 1}"#, 5, "':' after the member name"),
            ("{a:1}", 1, "a member name in double quotes"), ("{'a':1}", 1, "a member name in double quotes"),
            ("[1] x", 4, "after the JSON value"), (#"{"a":1}}"#, 7, "after the JSON value"),
            ("[", 1, "unexpected end of input; expected a JSON value"), (#"{"a":"#, 5, "unexpected end of input"),
            ("[1", 2, "unexpected end of input; expected ',' or ']'"), ("01", 0, "leading zeros"),
            ("-01", 1, "leading zeros"), ("-", 1, "a digit after '-'"), ("-a", 1, "a digit after '-'"),
            ("1.", 2, "a digit after the decimal point"), ("1.e5", 2, "a digit after the decimal point"),
            (".5", 0, "unexpected '.'"), ("1e", 2, "a digit after the exponent marker"),
            ("1e+", 3, "a digit after the exponent marker"), ("+1", 0, "unexpected '+'"), ("NaN", 0, "unexpected 'N'"),
            ("Infinity", 0, "unexpected 'I'"), ("1e400", 0, "too large"), ("-1e400", 0, "too large"),
            ("tru", 3, "expected 'true'"), ("trUe", 2, "expected 'true'"), ("nul", 3, "expected 'null'"),
            ("falsy", 4, "expected 'false'"), ("True", 0, "unexpected 'T'"), (#""abc"#, 0, "unterminated string"),
            ("\"a\nb\"", 2, "control character U+000A must be escaped"), ("\"\t\"", 1, "control character U+0009"),
            (#""\x""#, 1, #"invalid escape '\x'"#), (#""\'""#, 1, "invalid escape"), (#""\u12""#, 5, "four hex digits"),
            (#""\u12G4""#, 5, "four hex digits"), (#""\ud800""#, 1, "must be followed by a low surrogate"),
            (#""\ud800x""#, 1, "must be followed by a low surrogate"), (#""\udc00""#, 1, "lone low surrogate"),
            (#""\ud800\u0041""#, 7, "not a low surrogate"), (#""\ud800\ud800""#, 7, "not a low surrogate"),
            ("[1,,2]", 3, "unexpected ','"), ("[,1]", 1, "unexpected ','"), (#"{"a"::1}"#, 5, "unexpected ':'"),
            ("/* c */ 1", 0, "unexpected '/'"),
        ] as [(String, Int, String)])
    func invalid(text: String, offset: Int, message: String) {
        do {
            let value = try parse(text)
            Issue.record("accepted \(text) as \(value)")
        } catch {
            #expect(error.offset == offset, "\(text): \(error.message)")
            #expect(error.message.contains(message), "\(text): \(error.message)")
        }
    }

    @Test(
        "invalid UTF-8 is refused where it starts",
        arguments: [
            ([0x22, 0xFF, 0x22], 1, "cannot start a character"),
            ([0x22, 0x80, 0x22], 1, "cannot start a character"),
            ([0x22, 0xC3, 0x22], 2, "cannot follow"),
            ([0x22, 0xC0, 0xAF, 0x22], 1, "cannot start a character"),
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 2, "cannot follow"),
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 2, "cannot follow"),
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 2, "cannot follow"),
            ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 1, "cannot start a character"),
            ([0x22, 0xE2, 0x82], 3, "ends inside a character"),
            ([0xFF], 0, "byte 0xFF"),
            ([0x5B, 0x00, 0x5D], 1, "byte 0x00"),
        ] as [([UInt8], Int, String)])
    func invalidUTF8(bytes: [UInt8], offset: Int, message: String) {
        do {
            let value = try JSONValue(parsing: Data(bytes))
            Issue.record("accepted \(bytes) as \(value)")
        } catch {
            #expect(error.offset == offset, "\(bytes): \(error.message)")
            #expect(error.message.contains(message), "\(bytes): \(error.message)")
        }
    }

    @Test("what the parser reads, serialized() writes back to the same value")
    func roundTrip() throws {
        let text =
            #"{"s": "q\"\\\n\u0001é😀", "n": [0, -1, 1.5, 1e300, -2.5e-300, 9223372036854775807], "o": {"z": {}, "a": [[]]}}"#
        let value = try parse(text)
        #expect(try parse(value.serialized()) == value)
        #expect(try parse(value.serialized(pretty: true)) == value)
    }

    @Test("errors describe themselves with their byte offset")
    func errorDescription() {
        #expect(
            JSONParseError(message: "unexpected 'x'", offset: 3).description == "invalid JSON at byte 3: unexpected 'x'"
        )
    }
}
