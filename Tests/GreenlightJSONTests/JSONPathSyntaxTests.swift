import Foundation
import Testing

@testable import GreenlightJSON

/// What the parser accepts and refuses, and how it says what is wrong and where.
@Suite("JSONPath: syntax")
struct JSONPathSyntaxTests {
    typealias F = JSONPathFixtures

    @Test(
        "expressions the RFC grammar accepts, whitespace included where S is allowed",
        arguments: [
            "$", "$.a", "$._", "$.a1", "$.☺", "$.é", "$.*", "$[*]", "$..a", "$..*", "$..[0]", "$..['a','b']",
            "$['a']", #"$["a"]"#, "$[0]", "$[-1]", "$[0,1]", "$[1:3]", "$[:]", "$[::]", "$[::-1]", "$[-3:]",
            "$[ 0 ]", "$[0 , 1]", "$[1 :2]", "$[1: 2]", "$[1:2 :3]", "$[1:2: 3]", "$[ : : ]", "$ .a", "$ ['a']",
            "$\n['a']", "$['a'] ['b']", "$['a']\t.b", "$[?@]", "$[?$]", "$[? @.a]", "$[?\n@.a]", "$[?@.a ]",
            "$[ ?@.a ]",
            "$[?@ .a]", "$[?( @.a )]", "$[? (@.a)]", "$[?!@.a]", "$[?! @.a]", "$[?!(@.a == 1)]", "$[?! (@.a)]",
            "$[?@.a==1]", "$[?@.a == 1]", "$[?@.a\t==\n1]", "$[?@.a==-0]", "$[?@.a==1.5e-3]", "$[?@.a==1E+2]",
            "$[?@.a==1e400]", "$[?@.a=='b']", #"$[?@.a=="b"]"#, "$[?@.a==true]", "$[?@.a==null]",
            "$[?@.a==1 && @.b==2]", "$[?@.a==1||@.b==2]", "$[?@.a==1 || @.b==2 && @.c]", "$[?(@.a||@.b)&&@.c]",
            "$[?1==1]", "$[?@.a==$.b]", "$[?@[0]==@['x'][-1]]", "$[?@.*]", "$[?@..a]", "$[?@[0:1]]", "$[?@[?@.a]]",
            "$[?length(@)==1]", "$[?length( @.a )==1]", "$[?count(@.*)>1]", "$[?count(@..x)==count($..y)]",
            "$[?value(@.*)==1]", "$[?length(value(@.*))==1]", "$[?match(@.a, 'x')]", "$[?search(@.a, $.p)]",
            "$[?!match(@.a , 'x' )]", "$[?match(@.a, value($..p))]", "$['\\u263a']", #"$["\ud83d\ude00"]"#,
            "$['\\'']", #"$["\""]"#, #"$['"']"#, #"$["'"]"#, "$['\\b\\f\\n\\r\\t\\/\\\\']", "$['\u{7F}']",
            "$[9007199254740991]", "$[-9007199254740991]", "$[::9007199254740991]",
        ])
    func accepted(expression: String) {
        #expect(throws: Never.self) { try JSONPath(parsing: expression) }
    }

    @Test(
        "expressions the RFC rejects, with the offset and a message that says what was expected",
        arguments: [
            ("", 0, "empty"),
            (" $", 0, "leading whitespace"),
            ("$ ", 1, "trailing whitespace"),
            ("a", 0, "starts with '$'"),
            ("@.a", 0, "only allowed inside a filter"),
            ("$.", 2, "a member name or '*' after '.'"),
            ("$..", 3, "a member name, '*' or '[' after '..'"),
            ("$...a", 3, "after '..'"),
            ("$. a", 2, "a member name or '*' after '.'"),
            ("$.. a", 3, "after '..'"),
            ("$.1", 2, "an index goes in brackets"),
            ("$.'a'", 2, "a quoted name goes in brackets"),
            ("$.&", 2, "unexpected '&'"),
            ("$.a b", 4, "unexpected 'b'; expected '.', '..', '[' or the end"),
            ("$[]", 2, "a selector in the brackets"),
            ("$[a]", 2, "a member name in brackets is quoted"),
            ("$[0 1]", 4, "',' or ']'"),
            ("$[0,]", 4, "a selector"),
            ("$['a'", 5, "unexpected end of the expression; expected ',' or ']'"),
            ("$['a]", 2, "unterminated string literal"),
            ("$[01]", 2, "leading zeros"),
            ("$[-0]", 2, "-0 is not a valid index"),
            ("$[-]", 3, "a digit after '-'"),
            ("$[1.0]", 3, "',' or ']'"),
            ("$[9007199254740992]", 2, "out of range"),
            ("$[-9007199254740992:]", 2, "out of range"),
            ("$[::9007199254740992]", 4, "out of range"),
            ("$[0:1:2:3]", 7, "',' or ']'"),
            ("$['\\a']", 3, "invalid escape '\\a'"),
            (#"$['\"']"#, 3, "needs no escape"),
            (#"$["\'"]"#, 3, "needs no escape"),
            ("$['\\u12']", 7, "four hex digits"),
            ("$['\\uD800']", 3, "high surrogate"),
            ("$['\\uDC00']", 3, "lone low surrogate"),
            ("$['\\uD800\\u0041']", 9, "must be followed by a low surrogate"),
            ("$['a\nb']", 4, "control character U+000A"),
            ("$[?]", 3, "a query (@… or $…), a literal or a function call"),
            ("$[?@.a", 6, "',' or ']'"),
            ("$[?(@.a]", 7, "')' to close the '(' at offset 3"),
            ("$[?@.a)]", 6, "',' or ']'"),
            ("$[?@.a = 1]", 7, "'==' tests equality"),
            ("$[?@.a & @.b]", 7, "'&&' is the logical and"),
            ("$[?@.a | @.b]", 7, "'||' is the logical or"),
            ("$[?@.a === 1]", 9, "a query (@… or $…), a literal or a function call"),
            ("$[?@.a == 1 == 2]", 12, "',' or ']'"),
            ("$[?true]", 3, "a literal on its own is not a test"),
            ("$[?'a' && @.b]", 3, "a literal on its own is not a test"),
            ("$[?!true]", 4, "'!' must be followed by a query"),
            ("$[?!@.a == 1]", 3, "put the comparison in parentheses"),
            ("$[?!!@.a]", 4, "a query (@… or $…), a literal or a function call"),
            ("$[?(@.a) == 1]", 9, "',' or ']'"),
            ("$[?@.a == (1)]", 10, "a query (@… or $…), a literal or a function call"),
            ("$[?@.* == 1]", 3, "must be singular"),
            ("$[?@..a == 1]", 3, "must be singular"),
            ("$[?1 == @[0:1]]", 8, "must be singular"),
            ("$[?@['a','b'] == 1]", 3, "must be singular"),
            ("$[?@.a == 01]", 10, "leading zeros"),
            ("$[?@.a == 1.]", 12, "a digit after the decimal point"),
            ("$[?@.a == .1]", 10, "unexpected '.'"),
            ("$[?@.a == 1e]", 12, "a digit in the exponent"),
            ("$[?@.a == +1]", 10, "unexpected '+'"),
            ("$[?@.a == True]", 10, "lowercase"),
            ("$[?@.a == truex]", 10, "unknown name 'truex'"),
            ("$[?foo(@.a)]", 3, "unknown function 'foo()'"),
            ("$[?length (@.a) == 1]", 9, "no whitespace is allowed between a function name and '('"),
            ("$[?length(@.a)]", 3, "length() returns a value, which must be compared"),
            ("$[?value(@..a)]", 3, "value() returns a value, which must be compared"),
            ("$[?count(@.*)]", 3, "count() returns a value"),
            ("$[?match(@.a, 'x') == true]", 3, "returns a logical result, which cannot be compared"),
            ("$[?length(@.*) == 1]", 10, "needs a single value"),
            ("$[?length(@.a == 1) == 1]", 10, "not a logical expression"),
            ("$[?length(match(@.a, 'x')) == 1]", 10, "match() returns a logical result"),
            ("$[?count(1) == 1]", 9, "count() needs a query"),
            ("$[?count(length(@)) == 1]", 9, "count() needs a query"),
            ("$[?value('a') == 1]", 9, "value() needs a query"),
            ("$[?match(@.a)]", 3, "match() takes 2 arguments but was given 1"),
            ("$[?length()==1]", 3, "length() takes 1 argument but was given 0"),
            ("$[?search(@.a, 'b', 'c')]", 3, "search() takes 2 arguments but was given 3"),
            ("$[?match(@.*, 'x')]", 9, "needs a single value"),
            ("$[?length(@.a,)==1]", 14, "a query (@… or $…), a literal or a function call"),
            ("$[?length(@.a @.b)==1]", 14, "',' or ')' in the arguments of length()"),
        ])
    func rejected(expression: String, offset: Int, message: String) {
        do {
            let path = try JSONPath(parsing: expression)
            Issue.record("accepted \(path)")
        } catch {
            #expect(error.offset == offset, "\(expression): \(error.message)")
            #expect(error.message.contains(message), "\(expression): \(error.message)")
            #expect(error.description == "invalid JSONPath at offset \(error.offset): \(error.message)")
        }
    }

    @Test("offsets count Unicode scalars, as spec columns do")
    func offsetsCountScalars() {
        for (expression, offset) in [("$['😀'] ", 6), ("$['e\u{301}']x", 7), ("$.ab☺ x", 6)] {
            do {
                let path = try JSONPath(parsing: expression)
                Issue.record("accepted \(path)")
            } catch {
                #expect(error.offset == offset, "\(expression)")
            }
        }
    }

    @Test("filters and parentheses may nest 64 deep; deeper input is refused, not recursed into")
    func nestingLimit() throws {
        let allowed = "$" + String(repeating: "[?@", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSONPath(parsing: allowed).select(in: F.json("[[[1]]]")) == [])
        let parenthesized = "$[?" + String(repeating: "(", count: 63) + "@" + String(repeating: ")", count: 63) + "]"
        #expect(try JSONPath(parsing: parenthesized).select(in: F.json("[1]")) == [.int(1)])

        let tooDeep = "$[?" + String(repeating: "(", count: 200) + "@" + String(repeating: ")", count: 200) + "]"
        #expect {
            try JSONPath(parsing: tooDeep)
        } throws: { error in
            (error as? JSONPathError)?.message.contains("nested more than 64 deep") == true
        }
    }

    @Test(
        "isSingular: only names and single indexes, no descendants",
        arguments: [
            ("$", true), ("$.a", true), ("$['a'][0]", true), ("$.a[-1].b", true), ("$ .a [0]", true),
            ("$.*", false), ("$[0,1]", false), ("$['a','b']", false), ("$[0:1]", false), ("$..a", false),
            ("$[?@.a]", false), ("$.a[*]", false),
        ])
    func singular(expression: String, isSingular: Bool) throws {
        #expect(try JSONPath(parsing: expression).isSingular == isSingular)
    }

    @Test("a path describes itself as written, and equal queries are equal however they are spelled")
    func descriptionAndEquality() throws {
        let dotted = try JSONPath(parsing: "$.store .book[0]")
        let bracketed = try JSONPath(parsing: #"$["store"]['book'][0]"#)
        #expect(dotted.description == "$.store .book[0]")
        #expect(dotted == bracketed)
        #expect(Set([dotted, bracketed]).count == 1)
        #expect(try dotted != JSONPath(parsing: "$.store.book[1]"))
        #expect(try JSONPath(parsing: "$[?@.a == 1]") == JSONPath(parsing: "$[? @.a==1 ]"))
    }

    @Test("first(in:) is the first selected node, or nil")
    func first() throws {
        let document = try F.json(F.bookstore)
        #expect(try JSONPath(parsing: "$..price").first(in: document) == .double(8.95))
        #expect(try JSONPath(parsing: "$..nothing").first(in: document) == nil)
    }

    @Test("10,000 mutated expressions each parse or throw an error inside the expression", .timeLimit(.minutes(2)))
    func mutatedExpressions() throws {
        let seeds = [
            "$.store.book[?@.price < 10 && match(@.title, 'S.*')].author", "$..book[-1:0:-2]['title', \"isbn\"]",
            "$[?count(@..x) > length($.a) || !(@.b == null)]", "$['\\u263a\\ud83d\\ude00'][?value(@.*) != 'x']",
        ]
        let alphabet = Array("$@.[]()?*:,'\"!=<>&|-0123456789aelnrstuEfx \t\\☺".unicodeScalars)
        let document = try F.json(F.bookstore)
        var rng = JSONFuzzRandom(seed: 9535)
        var accepted = 0
        for round in 0..<10_000 {
            var scalars = Array(seeds[round % seeds.count].unicodeScalars)
            for _ in 0...Int.random(in: 0...3, using: &rng) where !scalars.isEmpty {
                let at = Int.random(in: 0..<scalars.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: scalars.remove(at: at)
                case 1: scalars.insert(alphabet.randomElement(using: &rng)!, at: at)
                default: scalars[at] = alphabet.randomElement(using: &rng)!
                }
            }
            let expression = String(String.UnicodeScalarView(scalars))
            do {
                let path = try JSONPath(parsing: expression)
                _ = path.select(in: document)
                accepted += 1
            } catch {
                #expect(error.offset >= 0 && error.offset <= scalars.count, "\(expression): \(error)")
                #expect(!error.message.isEmpty)
            }
        }
        #expect(accepted > 100 && accepted < 9_000)
    }
}
