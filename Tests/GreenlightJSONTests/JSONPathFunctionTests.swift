import Foundation
import Testing

@testable import GreenlightJSON

/// The function extensions of RFC 9535 section 2.4 and the I-Regexp behind match() and search().
@Suite("JSONPath: functions")
struct JSONPathFunctionTests {
    typealias F = JSONPathFixtures

    @Test(
        "length() counts Unicode scalars, elements and members; anything else is Nothing",
        arguments: [
            ("$[?length(@) == 3]", #"["abc", [1, 2, 3], {"a": 1, "b": 2, "c": 3}]"#),
            ("$[?length(@) == 1]", #"["😀", [[]]]"#),
            ("$[?length(@) == 2]", #"["e\u0301"]"#),
            ("$[?length(@) == 0]", #"["", [], {}]"#),
            ("$[?length(@) == length(@.absent)]", #"[7, true, null]"#),
            ("$[?length(@) > 0 && length(@) < 2]", #"["😀", [[]]]"#),
        ])
    func length(query: String, expected: String) throws {
        let document = #"["abc", [1, 2, 3], {"a": 1, "b": 2, "c": 3}, "😀", "e\u0301", "", [], {}, 7, true, null, [[]]]"#
        #expect(try F.select(query, in: document) == F.nodes(expected))
    }

    @Test("count() counts the nodes of a query; value() takes the one node or gives Nothing")
    func countAndValue() throws {
        let document = #"[{"a": [1, 2]}, {"a": [3]}, {"a": []}, {"b": {"c": 4}}, {"b": {"c": 4, "d": 4}}]"#
        #expect(try F.select("$[?count(@.a.*) == 1]", in: document) == F.nodes(#"[{"a": [3]}]"#))
        #expect(try F.select("$[?count(@.a.*) == 0]", in: document).count == 3)
        #expect(
            try F.select("$[?count(@..*) > 2]", in: document) == F.nodes(#"[{"a": [1, 2]}, {"b": {"c": 4, "d": 4}}]"#))
        #expect(try F.select("$[?count(@) == 1]", in: document).count == 5)
        #expect(try F.select("$[?value(@.a.*) == 3]", in: document) == F.nodes(#"[{"a": [3]}]"#))
        #expect(
            try F.select("$[?value(@..c) == 4]", in: document)
                == F.nodes(#"[{"b": {"c": 4}}, {"b": {"c": 4, "d": 4}}]"#))
        #expect(
            try F.select("$[?value(@.b.*) == value(@.b.c)]", in: document)
                == F.nodes(#"[{"a": [1, 2]}, {"a": [3]}, {"a": []}, {"b": {"c": 4}}]"#))
        #expect(try F.select("$[?length(value(@.a)) == 2]", in: document) == F.nodes(#"[{"a": [1, 2]}]"#))
    }

    @Test(
        "match() must match the whole string; search() any part of it",
        arguments: [
            ("$[?match(@, 'ab')]", #"["ab"]"#),
            ("$[?search(@, 'ab')]", #"["ab", "xaby", "abab"]"#),
            ("$[?match(@, '(ab)+')]", #"["ab", "abab"]"#),
            ("$[?match(@, 'a.')]", #"["ab"]"#),
            ("$[?search(@, 'a.b')]", #"["a\u2028b", "a.b", "a]b", "a-b"]"#),
            ("$[?match(@, '')]", #"[""]"#),
            ("$[?search(@, '')]", #"["ab", "xaby", "abab", "", "a\nb", "a\u2028b", "A", "$^", "a.b", "a]b", "a-b"]"#),
        ])
    func matchAndSearch(query: String, expected: String) throws {
        let document =
            #"["ab", "xaby", "abab", "", "a\nb", "a\u2028b", "A", "$^", "a.b", "a]b", "a-b", 1, null, ["ab"]]"#
        #expect(try F.select(query, in: document) == F.nodes(expected))
    }

    @Test(
        "I-Regexp meaning: dot, literal ^ and $, classes, categories, quantifiers, escapes",
        arguments: [
            ("a.b", #"["a\u2028b", "a.b", "a]b", "a-b", "a😀b"]"#),
            ("a[.]b", #"["a.b"]"#),
            ("a\\\\.b", #"["a.b"]"#),
            ("$\\\\^", #"["$^"]"#),
            ("$^", #"["$^"]"#),
            ("a[\\\\]]b", #"["a]b"]"#),
            ("a[-x]b", #"["a-b"]"#),
            ("a[x-]b", #"["a-b"]"#),
            ("a[^.\\\\]-]b", #"["a\nb", "a\u2028b", "a😀b"]"#),
            ("a[\\\\n\\\\r]b", #"["a\nb"]"#),
            ("\\\\p{Lu}", #"["A"]"#),
            ("a\\\\P{L}b", #"["a\nb", "a\u2028b", "a.b", "a]b", "a-b", "a😀b"]"#),
            ("a\\\\p{Zl}b", #"["a\u2028b"]"#),
            ("a\\\\p{So}b", #"["a😀b"]"#),
            ("[a-c]{2}", #"["ab"]"#),
            ("(ab){1,}", #"["ab", "abab"]"#),
            ("(ab){2}|A", #"["abab", "A"]"#),
            ("x?a?b?y?", #"["ab", "xaby", ""]"#),
        ])
    func iRegexp(pattern: String, expected: String) throws {
        let document = #"["ab", "xaby", "abab", "", "a\nb", "a\u2028b", "A", "$^", "a.b", "a]b", "a-b", "a😀b"]"#
        #expect(try F.select("$[?match(@, '\(pattern)')]", in: document) == F.nodes(expected))
    }

    @Test(
        "patterns that are not I-Regexp make match() and search() false, not an error",
        arguments: [
            "[", "a**", "a*?", "(?:a)", "\\\\d", "\\\\w", "a{2,1}", "a{,2}", "[]", "[b-a]", "\\\\p{IsGreek}", ")",
            "a|*", "\\\\p{Cs}", "\\\\$", "a{65536}",
        ])
    func invalidPatterns(pattern: String) throws {
        let document = #"["a", "aa", "d", "[", ")"]"#
        #expect(try F.select("$[?match(@, '\(pattern)')]", in: document) == [])
        #expect(try F.select("$[?search(@, '\(pattern)')]", in: document) == [])
        #expect(try F.select("$[?!search(@, '\(pattern)')]", in: document).count == 5)
    }

    @Test("match() and search() are false for non-string arguments, and take patterns from the document")
    func argumentsFromDocument() throws {
        let document = #"{"regex": "b.?b", "values": ["abc", "bcd", "bab", "bba", "bbab", "b", true, [], {}, 1]}"#
        #expect(try F.select("$.values[?search(@, $.regex)]", in: document) == F.nodes(#"["bab", "bba", "bbab"]"#))
        #expect(try F.select("$.values[?match(@, value($..regex))]", in: document) == F.nodes(#"["bab"]"#))
        #expect(try F.select("$.values[?match(@, 1)]", in: document) == [])
        #expect(try F.select("$.values[?search(1, 'a')]", in: document) == [])
        #expect(try F.select("$.values[?search(@, $.absent)]", in: document) == [])
    }

    @Test(
        "I-Regexp is translated to an explicit Swift pattern",
        arguments: [
            ("a.b", "a[^\\n\\r]b"),
            ("^x$", "\\x{5E}x\\x{24}"),
            ("(a|b)*", "(?:a|b)*"),
            ("[^a-z\\]]", "[^a-z\\x{5D}]"),
            ("\\p{Lu}+", "\\p{Lu}+"),
            ("a{2,}b{0,3}", "a{2,}b{0,3}"),
            ("é", "\\x{E9}"),
        ])
    func translation(pattern: String, swift: String) {
        #expect(IRegexp.translate(pattern) == swift)
    }
}
