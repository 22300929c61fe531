import Foundation
import Testing

@testable import GreenlightJSON

/// Filter semantics beyond the RFC's tables: comparisons, existence, slices and selection order.
@Suite("JSONPath: filters and selection")
struct JSONPathFilterTests {
    typealias F = JSONPathFixtures

    @Test(
        "comparisons follow RFC 9535 section 2.3.5.2.2",
        arguments: [
            ("1 == 1.0", true), ("1 < 1.5", true), ("2 > 1.5", true), ("1.0 >= 1", true), ("-0 == 0", true),
            ("1e2 == 100", true), ("9007199254740993 == 9007199254740992.0", false),
            ("9007199254740993 > 9007199254740992.0", true), ("1e400 > 9223372036854775807", true),
            ("'a' < 'ab'", true), ("'Z' < 'a'", true), ("'' < 'a'", true), ("'b' > 'ab'", true),
            // Unicode scalar order, not UTF-16 order: U+FF61 < U+10000.
            ("'\u{FF61}' < '\u{10000}'", true),
            // No normalization: precomposed é differs from e + combining acute.
            ("'\u{E9}' == 'e\u{301}'", false), ("'\u{E9}' != 'e\u{301}'", true),
            ("true == true", true), ("true != false", true), ("true < false", false), ("false < true", false),
            ("null == null", true), ("null <= null", true), ("null < null", false), ("null == false", false),
            ("1 == '1'", false), ("1 < '2'", false), ("'2' > 1", false), ("1 != '1'", true),
            ("$.arr == $.same", true), ("$.arr == $.reversed", false), ("$.obj == $.reordered", true),
            ("$.obj == $.arr", false), ("$.arr < $.same", false), ("$.arr <= $.same", true),
            ("$.absent == null", false), ("$.absent != null", true), ("$.absent < 1", false), ("$.absent >= 1", false),
            ("$.absent >= $.missing", true), ("$.absent > $.missing", false),
        ])
    func comparison(expression: String, holds: Bool) throws {
        let document = """
            {"arr": [1, [2, {"x": 3}]], "same": [1.0, [2, {"x": 3}]], "reversed": [[2, {"x": 3}], 1],
             "obj": {"a": 1, "b": [true, null]}, "reordered": {"b": [true, null], "a": 1}}
            """
        let kept = try F.select("$[?\(expression)]", in: document)
        #expect(kept.count == (holds ? 5 : 0))
    }

    @Test(
        "existence tests and logical operators",
        arguments: [
            ("$[?@.a]", #"[{"a": null}, {"a": false}, {"a": 0, "b": 1}]"#),
            ("$[?!@.a]", #"[{"b": 2}, 7, "s"]"#),
            ("$[?@.a && @.b]", #"[{"a": 0, "b": 1}]"#),
            ("$[?@.a || @.b]", #"[{"a": null}, {"a": false}, {"a": 0, "b": 1}, {"b": 2}]"#),
            ("$[?!(@.a || @.b)]", #"[7, "s"]"#),
            ("$[?@.b == 1 || @.b == 2 && @.a]", #"[{"a": 0, "b": 1}]"#),
            ("$[?(@.b == 1 || @.b == 2) && @.a]", #"[{"a": 0, "b": 1}]"#),
            ("$[?@]", #"[{"a": null}, {"a": false}, {"a": 0, "b": 1}, {"b": 2}, 7, "s"]"#),
            ("$[?$.absent]", "[]"),
            ("$[?@ == 7 || @ == 's']", #"[7, "s"]"#),
            ("$[?@.a == false]", #"[{"a": false}]"#),
            ("$[?@.a == null]", #"[{"a": null}]"#),
        ])
    func existence(query: String, expected: String) throws {
        let document = #"[{"a": null}, {"a": false}, {"a": 0, "b": 1}, {"b": 2}, 7, "s"]"#
        #expect(try F.select(query, in: document) == F.nodes(expected))
    }

    @Test(
        "slices normalize their bounds, for positive and negative steps",
        arguments: [
            ("$[0:5]", "[0, 1, 2, 3, 4]"), ("$[7:]", "[7, 8, 9]"), ("$[:-7]", "[0, 1, 2]"), ("$[-3:]", "[7, 8, 9]"),
            ("$[-20:20]", "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]"), ("$[3:3]", "[]"), ("$[5:2]", "[]"), ("$[::0]", "[]"),
            ("$[::3]", "[0, 3, 6, 9]"), ("$[1:8:3]", "[1, 4, 7]"), ("$[::-3]", "[9, 6, 3, 0]"),
            ("$[8:1:-3]", "[8, 5, 2]"), ("$[20:-20:-1]", "[9, 8, 7, 6, 5, 4, 3, 2, 1, 0]"),
            ("$[-1:-4:-1]", "[9, 8, 7]"),
            ("$[:-8:-1]", "[9, 8, 7, 6, 5, 4, 3]"), ("$[2::-1]", "[2, 1, 0]"), ("$[2:5:-1]", "[]"),
            ("$[9007199254740991:]", "[]"), ("$[:-9007199254740991]", "[]"), ("$[::-9007199254740991]", "[9]"),
            ("$[0:1, 9:10, -1]", "[0, 9, 9]"),
        ])
    func slices(query: String, expected: String) throws {
        #expect(try F.select(query, in: "[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]") == F.nodes(expected))
    }

    @Test("selectors do nothing on values of the wrong kind")
    func wrongKinds() throws {
        #expect(try F.select("$[0]", in: #"{"0": 1}"#) == [])
        #expect(try F.select("$['0']", in: "[1]") == [])
        #expect(try F.select("$[0:1]", in: #"{"a": 1}"#) == [])
        #expect(try F.select("$.*", in: #""text""#) == [])
        #expect(try F.select("$[?@]", in: "7") == [])
        #expect(try F.select("$..*", in: "null") == [])
    }

    @Test("names match exactly: no normalization, escapes decoded, any member name reachable")
    func nameMatching() throws {
        let document = #"{"\u00e9": 1, "e\u0301": 2, "a b": 3, "'": 4, "\"": 5, "\\": 6, "😀": 7, "": 8, "\n": 9}"#
        #expect(try F.select("$['\u{E9}']", in: document) == [.int(1)])
        #expect(try F.select("$['e\u{301}']", in: document) == [.int(2)])
        #expect(try F.select("$['\\u00e9']", in: document) == [.int(1)])
        #expect(try F.select("$.é", in: document) == [.int(1)])
        #expect(try F.select("$['a b']", in: document) == [.int(3)])
        #expect(try F.select("$['\\'']", in: document) == [.int(4)])
        #expect(try F.select(#"$["\""]"#, in: document) == [.int(5)])
        #expect(try F.select("$['\\\\']", in: document) == [.int(6)])
        #expect(try F.select("$['\\uD83D\\uDE00']", in: document) == [.int(7)])
        #expect(try F.select("$.😀", in: document) == [.int(7)])
        #expect(try F.select("$['']", in: document) == [.int(8)])
        #expect(try F.select("$['\\n']", in: document) == [.int(9)])
    }

    @Test("a descendant segment visits a node before its children, arrays in order and objects in member order")
    func descendantOrder() throws {
        let document = #"{"x": 1, "y": {"x": 2, "z": [{"x": 3}, {"x": [4, {"x": 5}]}]}}"#
        #expect(try F.select("$..x", in: document) == F.nodes(#"[1, 2, 3, [4, {"x": 5}], 5]"#))
        #expect(
            try F.select("$..[?@.x]", in: document)
                == F.nodes(
                    #"[{"x": 2, "z": [{"x": 3}, {"x": [4, {"x": 5}]}]}, {"x": 3}, {"x": [4, {"x": 5}]}, {"x": 5}]"#))
        #expect(try F.select("$..x..x", in: document) == [.int(5)])
    }

    @Test("filters see the root through $ at any depth, and @ is the node being tested")
    func rootInNestedFilters() throws {
        let document = #"{"limit": 2, "groups": [[1, 2, 3], [0], [5, 1]]}"#
        #expect(try F.select("$.groups[?@[?@ > $.limit]]", in: document) == F.nodes("[[1, 2, 3], [5, 1]]"))
        #expect(try F.select("$.groups[?count(@[?@ <= $.limit]) == 1]", in: document) == F.nodes("[[0], [5, 1]]"))
        #expect(try F.select("$.groups[*][?@ == $.limit]", in: document) == [.int(2)])
    }

    @Test("a 1 MB document is parsed and queried")
    func largeDocument() throws {
        let count = 12_000
        var text = "{\"items\": ["
        for i in 0..<count {
            if i > 0 { text += "," }
            text +=
                #"{"id": \#(i), "name": "item \#(i) with some padding text", "tags": ["a", "b"], "price": \#(Double(i) / 4)}"#
        }
        text += "]}"
        #expect(text.utf8.count > 1_000_000)
        let document = try JSONValue(parsing: Data(text.utf8))
        #expect(try JSONPath(parsing: "$.items[-1].id").first(in: document) == .int(count - 1))
        #expect(
            try JSONPath(parsing: "$.items[?@.price >= 2999.5].id").select(in: document) == [
                .int(11_998), .int(11_999),
            ])
        #expect(try JSONPath(parsing: "$..tags[0]").select(in: document).count == count)
    }
}
