import Foundation
import Testing

@testable import GreenlightJSON

/// The examples of RFC 9535, each with the document its table uses and the nodelist the RFC gives.
@Suite("JSONPath: RFC 9535 examples")
struct JSONPathRFCExampleTests {
    typealias F = JSONPathFixtures

    @Test(
        "Table 2: the bookstore queries",
        arguments: [
            (
                "$.store.book[*].author",
                #"["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]"#
            ),
            ("$..author", #"["Nigel Rees", "Evelyn Waugh", "Herman Melville", "J. R. R. Tolkien"]"#),
            ("$.store..price", "[8.95, 12.99, 8.99, 22.99, 399]"),
            ("$..book[2].author", #"["Herman Melville"]"#),
            ("$..book[2].publisher", "[]"),
            ("$..book[-1].title", #"["The Lord of the Rings"]"#),
            ("$..book[0,1].title", #"["Sayings of the Century", "Sword of Honour"]"#),
            ("$..book[:2].title", #"["Sayings of the Century", "Sword of Honour"]"#),
            ("$..book[?@.isbn].title", #"["Moby Dick", "The Lord of the Rings"]"#),
            ("$..book[?@.price<10].title", #"["Sayings of the Century", "Moby Dick"]"#),
        ])
    func bookstore(query: String, expected: String) throws {
        #expect(try F.select(query, in: F.bookstore) == F.nodes(expected))
    }

    @Test("Table 2: $.store.* gives the book array and the bicycle; $..book[2] the third book")
    func bookstoreContainers() throws {
        let store = try #require(try F.json(F.bookstore)["store"])
        #expect(
            try JSONPath(parsing: "$.store.*").select(in: F.json(F.bookstore)) == [store["book"]!, store["bicycle"]!])
        let third = try F.select("$..book[2]", in: F.bookstore)
        #expect(third.count == 1 && third.first?["title"] == .string("Moby Dick"))
        #expect(try F.select("$", in: F.bookstore) == [F.json(F.bookstore)])
    }

    @Test("Table 2: $..* gives every member value and array element, each node's children before deeper ones")
    func bookstoreDescendants() throws {
        let all = try F.select("$..*", in: F.bookstore)
        #expect(all.count == 27)
        let store = try #require(try F.json(F.bookstore)["store"])
        #expect(Array(all.prefix(3)) == [store, store["book"]!, store["bicycle"]!])
        let firstBook = try F.json(
            #"{"category": "reference", "author": "Nigel Rees", "title": "Sayings of the Century", "price": 8.95}"#)
        #expect(all[3] == firstBook)
        #expect(all[7] == .string("reference"))
        #expect(all.suffix(3) == [.double(22.99), .string("red"), .int(399)])
    }

    @Test(
        "Table 5: name selectors",
        arguments: [
            ("$.o['j j']", #"[{"k.k": 3}]"#),
            ("$.o['j j']['k.k']", "[3]"),
            (#"$.o["j j"]["k.k"]"#, "[3]"),
            (#"$["'"]["@"]"#, "[2]"),
        ])
    func nameSelectors(query: String, expected: String) throws {
        let document = #"{"o": {"j j": {"k.k": 3}}, "'": {"@": 2}}"#
        #expect(try F.select(query, in: document) == F.nodes(expected))
    }

    @Test(
        "Table 6: wildcard selectors",
        arguments: [
            ("$[*]", #"[{"j": 1, "k": 2}, [5, 3]]"#),
            ("$.o[*]", "[1, 2]"),
            ("$.o[*, *]", "[1, 2, 1, 2]"),
            ("$.a[*]", "[5, 3]"),
        ])
    func wildcardSelectors(query: String, expected: String) throws {
        let document = #"{"o": {"j": 1, "k": 2}, "a": [5, 3]}"#
        #expect(try F.select(query, in: document) == F.nodes(expected))
    }

    @Test(
        "Table 7: index selectors",
        arguments: [("$[1]", #"["b"]"#), ("$[-2]", #"["a"]"#), ("$[2]", "[]"), ("$[-3]", "[]")])
    func indexSelectors(query: String, expected: String) throws {
        #expect(try F.select(query, in: #"["a", "b"]"#) == F.nodes(expected))
    }

    @Test(
        "Table 9: array slice selectors",
        arguments: [
            ("$[1:3]", #"["b", "c"]"#),
            ("$[5:]", #"["f", "g"]"#),
            ("$[1:5:2]", #"["b", "d"]"#),
            ("$[5:1:-2]", #"["f", "d"]"#),
            ("$[::-1]", #"["g", "f", "e", "d", "c", "b", "a"]"#),
        ])
    func sliceSelectors(query: String, expected: String) throws {
        #expect(try F.select(query, in: #"["a", "b", "c", "d", "e", "f", "g"]"#) == F.nodes(expected))
    }

    @Test(
        "Table 11: comparisons, including with Nothing and between structured values",
        arguments: [
            ("$.absent1 == $.absent2", true),
            ("$.absent1 <= $.absent2", true),
            ("$.absent == 'g'", false),
            ("$.absent1 != $.absent2", false),
            ("$.absent != 'g'", true),
            ("1 <= 2", true),
            ("1 > 2", false),
            ("13 == '13'", false),
            ("'a' <= 'b'", true),
            ("'a' > 'b'", false),
            ("$.obj == $.arr", false),
            ("$.obj != $.arr", true),
            ("$.obj == $.obj", true),
            ("$.obj != $.obj", false),
            ("$.arr == $.arr", true),
            ("$.arr != $.arr", false),
            ("$.obj == 17", false),
            ("$.obj != 17", true),
            ("$.obj <= $.arr", false),
            ("$.obj < $.arr", false),
            ("$.obj <= $.obj", true),
            ("$.arr <= $.arr", true),
            ("1 <= $.arr", false),
            ("1 >= $.arr", false),
            ("1 > $.arr", false),
            ("1 < $.arr", false),
            ("true <= true", true),
            ("true > true", false),
        ])
    func comparisons(comparison: String, holds: Bool) throws {
        // The filter runs once per member of the root; the comparison ignores @, so it keeps both or neither.
        let selected = try F.select("$[?\(comparison)]", in: #"{"obj": {"x": "y"}, "arr": [2, 3]}"#)
        #expect(selected.count == (holds ? 2 : 0))
    }

    @Test(
        "Table 12: filter selectors",
        arguments: [
            ("$.a[?@.b == 'kilo']", #"[{"b": "kilo"}]"#),
            ("$.a[?(@.b == 'kilo')]", #"[{"b": "kilo"}]"#),
            ("$.a[?@>3.5]", "[5, 4, 6]"),
            ("$.a[?@.b]", #"[{"b": "j"}, {"b": "k"}, {"b": {}}, {"b": "kilo"}]"#),
            (
                "$[?@.*]",
                #"[[3, 5, 1, 2, 4, 6, {"b": "j"}, {"b": "k"}, {"b": {}}, {"b": "kilo"}], {"p": 1, "q": 2, "r": 3, "s": 5, "t": {"u": 6}}]"#
            ),
            ("$[?@[?@.b]]", #"[[3, 5, 1, 2, 4, 6, {"b": "j"}, {"b": "k"}, {"b": {}}, {"b": "kilo"}]]"#),
            ("$.o[?@<3, ?@<3]", "[1, 2, 1, 2]"),
            (#"$.a[?@<2 || @.b == "k"]"#, #"[1, {"b": "k"}]"#),
            (#"$.a[?match(@.b, "[jk]")]"#, #"[{"b": "j"}, {"b": "k"}]"#),
            (#"$.a[?search(@.b, "[jk]")]"#, #"[{"b": "j"}, {"b": "k"}, {"b": "kilo"}]"#),
            ("$.o[?@>1 && @<4]", "[2, 3]"),
            ("$.o[?@.u || @.x]", #"[{"u": 6}]"#),
            ("$.a[?@.b == $.x]", "[3, 5, 1, 2, 4, 6]"),
            ("$.a[?@ == @]", #"[3, 5, 1, 2, 4, 6, {"b": "j"}, {"b": "k"}, {"b": {}}, {"b": "kilo"}]"#),
        ])
    func filterSelectors(query: String, expected: String) throws {
        let document = """
            {"a": [3, 5, 1, 2, 4, 6, {"b": "j"}, {"b": "k"}, {"b": {}}, {"b": "kilo"}],
             "o": {"p": 1, "q": 2, "r": 3, "s": 5, "t": {"u": 6}},
             "e": "f"}
            """
        #expect(try F.select(query, in: document) == F.nodes(expected))
    }

    @Test(
        "Table 14: well-typed function expressions are accepted",
        arguments: [
            "$[?length(@) < 3]",
            "$[?count(@.*) == 1]",
            "$[?match(@.timezone, 'Europe/.*')]",
            "$[?value(@..color) == \"red\"]",
        ])
    func wellTyped(query: String) {
        #expect(throws: Never.self) { try JSONPath(parsing: query) }
    }

    @Test(
        "Table 14: ill-typed function expressions are refused when parsed",
        arguments: [
            "$[?length(@.*) < 3]",
            "$[?count(1) == 1]",
            "$[?match(@.timezone, 'Europe/.*') == true]",
            "$[?value(@..color)]",
        ])
    func illTyped(query: String) {
        #expect(throws: JSONPathError.self) { try JSONPath(parsing: query) }
    }

    @Test("Sections 2.4.4 to 2.4.8: the function examples")
    func functionExamples() throws {
        let document = """
            [{"authors": ["a", "b", "c", "d", "e"], "date": "1974-05-01", "author": "Bob"},
             {"authors": ["a"], "date": "1974-06-01", "author": "Rob", "bike": {"frame": {"color": "red"}}},
             {"authors": "abcdef", "date": "x1974-05-01", "author": "Robert"}]
            """
        #expect(try F.select("$[?length(@.authors) >= 5].author", in: document) == [.string("Bob"), .string("Robert")])
        #expect(try F.select("$[?count(@.*.author) >= 5]", in: document) == [])
        #expect(try F.select("$[?count(@.authors.*) >= 5].author", in: document) == [.string("Bob")])
        #expect(try F.select(#"$[?match(@.date, "1974-05-..")].author"#, in: document) == [.string("Bob")])
        #expect(
            try F.select(#"$[?search(@.author, "[BR]ob")].author"#, in: document)
                == F.nodes(#"["Bob", "Rob", "Robert"]"#))
        #expect(try F.select(#"$[?value(@..color) == "red"].author"#, in: document) == [.string("Rob")])
    }

    @Test(
        "Table 15: child segments with several selectors",
        arguments: [("$[0, 3]", #"["a", "d"]"#), ("$[0:2, 5]", #"["a", "b", "f"]"#), ("$[0, 0]", #"["a", "a"]"#)])
    func childSegments(query: String, expected: String) throws {
        #expect(try F.select(query, in: #"["a", "b", "c", "d", "e", "f", "g"]"#) == F.nodes(expected))
    }

    @Test(
        "Table 16: descendant segments in document order",
        arguments: [
            ("$..j", "[1, 4]"),
            ("$..[0]", #"[5, {"j": 4}]"#),
            (
                "$..[*]",
                #"[{"j": 1, "k": 2}, [5, 3, [{"j": 4}, {"k": 6}]], 1, 2, 5, 3, [{"j": 4}, {"k": 6}], {"j": 4}, {"k": 6}, 4, 6]"#
            ),
            (
                "$..*",
                #"[{"j": 1, "k": 2}, [5, 3, [{"j": 4}, {"k": 6}]], 1, 2, 5, 3, [{"j": 4}, {"k": 6}], {"j": 4}, {"k": 6}, 4, 6]"#
            ),
            ("$..o", #"[{"j": 1, "k": 2}]"#),
            ("$.o..[*, *]", "[1, 2, 1, 2]"),
            ("$.a..[0, 1]", #"[5, 3, {"j": 4}, {"k": 6}]"#),
        ])
    func descendantSegments(query: String, expected: String) throws {
        let document = #"{"o": {"j": 1, "k": 2}, "a": [5, 3, [{"j": 4}, {"k": 6}]]}"#
        #expect(try F.select(query, in: document) == F.nodes(expected))
    }

    @Test(
        "Table 17: null is a value, not an absence",
        arguments: [
            ("$.a", "[null]"),
            ("$.a[0]", "[]"),
            ("$.a.d", "[]"),
            ("$.b[0]", "[null]"),
            ("$.b[*]", "[null]"),
            ("$.b[?@]", "[null]"),
            ("$.b[?@==null]", "[null]"),
            ("$.c[?@.d==null]", "[]"),
            ("$.null", "[1]"),
        ])
    func nullSemantics(query: String, expected: String) throws {
        let document = #"{"a": null, "b": [null], "c": [{}], "null": 1}"#
        #expect(try F.select(query, in: document) == F.nodes(expected))
    }
}
