import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightObserve

@Suite("Alertmanager's routing tree, walked offline")
struct AlertmanagerRoutesTests {
    static let routes = try! AlertmanagerRoutes.parse(Data(AlertFixtures.routing.utf8), file: "alertmanager.yml")

    @Test("each label set reaches the receivers of the table", arguments: AlertFixtures.routingTable.indices)
    func table(index: Int) {
        let (labels, receivers) = AlertFixtures.routingTable[index]
        #expect(Self.routes.receivers(for: labels) == receivers, "\(labels)")
    }

    @Test("the tree is read with inheritance, locations and every matcher form")
    func tree() {
        let root = Self.routes.root
        #expect(root.receiver == "default")
        #expect(root.groupBy == ["alertname", "service"])
        #expect(root.routes.map(\.receiver) == ["oncall", "db-team", "checkout", "audit", "deadman", "shards"])
        #expect(root.routes.map(\.continues) == [true, false, false, true, false, false])
        #expect(root.routes[0].matchers.map(\.description) == [#"severity=~"page|critical""#, #"env!="staging""#])
        #expect(root.routes[1].matchers.map(\.description) == [#"team="db""#])
        #expect(root.routes[1].routes[0].matchers.map(\.description) == [#"service=~"postgres|redis""#])
        #expect(
            root.routes[2].matchers.map(\.description) == [#"service=~"checkout(-.*)?""#, #"severity!~"info|debug""#])
        #expect(root.routes[2].groupBy == ["alertname"])
        #expect(root.routes[2].routes[0].groupBy == ["alertname"])
        #expect(root.routes[0].routes[0].groupBy == ["alertname", "service"])
        #expect(root.routes[0].location.description == "alertmanager.yml:8:7")
        #expect(Self.routes.receiverNames.count == 10)
        #expect(Self.routes.matchedLabelNames == ["severity", "env", "team", "service", "audit", "alertname", "shard"])
    }

    @Test("a child without a receiver inherits its parent's")
    func inheritance() throws {
        let config = """
            route:
              receiver: a
              routes:
                - matchers: [x="1"]
                  receiver: b
                  routes: [{ matchers: [y="2"] }]
            receivers: [{ name: a }, { name: b }]
            """
        let routes = try AlertmanagerRoutes.parse(Data(config.utf8), file: "am.yml")
        #expect(routes.receivers(for: ["x": "1", "y": "2"]) == ["b"])
        #expect(routes.routes(for: ["x": "1", "y": "2"]).first?.location.description == "am.yml:6:16")
    }

    @Test(
        "a configuration that cannot route is refused at file:line:col",
        arguments: [
            ("route: { receiver: a }\n", "am.yml:1:1: no 'receivers:' list"),
            ("receivers: [{ name: a }]\n", "am.yml:1:1: no 'route:'"),
            (
                "route: { group_by: [x] }\nreceivers: [{ name: a }]\n",
                "am.yml:1:8: the root route needs a receiver"
            ),
            (
                "route: { receiver: b }\nreceivers: [{ name: a }]\n",
                "am.yml:1:20: the receiver 'b' is not defined under 'receivers:'"
            ),
            (
                "route: { receiver: a, matchers: [x=\"1\"] }\nreceivers: [{ name: a }]\n",
                "am.yml:1:8: the root route cannot have matchers"
            ),
            (
                "route:\n  receiver: a\n  routes:\n    - { receiver: a, mathcers: [x=\"1\"] }\nreceivers: [{ name: a }]\n",
                "am.yml:4:22: a route has no field 'mathcers'; did you mean 'matchers'?"
            ),
            (
                "route:\n  receiver: a\n  routes:\n    - { receiver: a, matchers: ['x=~\"(\"'] }\nreceivers: [{ name: a }]\n",
                "am.yml:4:33: x=~\"(\" is not a valid regular expression"
            ),
            (
                "route:\n  receiver: a\n  routes:\n    - { receiver: a, matchers: ['x=~\"(?=a)\"'] }\nreceivers: [{ name: a }]\n",
                "uses lookaround, which Go's RE2 (and so Alertmanager) does not support"
            ),
            (
                "route:\n  receiver: a\n  routes:\n    - { receiver: a, matchers: ['x~\"a\"'] }\nreceivers: [{ name: a }]\n",
                "am.yml:4:33: 'x~\"a\"' is not a matcher"
            ),
            (
                "route:\n  receiver: a\n  routes:\n    - { receiver: a, continue: maybe }\nreceivers: [{ name: a }]\n",
                "am.yml:4:32: continue must be true or false, not 'maybe'"
            ),
            (
                "route: { receiver: a }\nreceivers: [{ name: a }, { name: a }]\n",
                "am.yml:2:34: the receiver 'a' is already defined at line 2"
            ),
            ("route: [a]\nreceivers: []\n", "am.yml:1:8: the root route must be a mapping, not a list"),
            ("route:\n  receiver: a\n   routes: []\n", "am.yml:3:10: not YAML:"),
        ])
    func refuses(text: String, expected: String) {
        #expect {
            try AlertmanagerRoutes.parse(Data(text.utf8), file: "am.yml")
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test("matchers: quoted and bare values, escapes, braces, commas inside quotes")
    func matchers() throws {
        func parse(_ text: String) throws -> [String] { try LabelMatcher.parse(text).map(\.description) }
        #expect(try parse(#"a="b""#) == [#"a="b""#])
        #expect(try parse(#"{a=b, c!~"x,y"}"#) == [#"a="b""#, #"c!~"x,y""#])
        #expect(try parse(#" a = "b c" "#) == [#"a="b c""#])
        #expect(try parse(#"a="with \"quote\" and \\ and \n""#).first == #"a="with \"quote\" and \\ and \n""#)
        #expect(try LabelMatcher.parse(#"a="\n""#).first?.value == "\n")
        #expect(try LabelMatcher.parse(#"a="\d""#).first?.value == #"\d"#)
        #expect(try parse("a=") == [#"a="""#])
        #expect(try parse("a=b,") == [#"a="b""#])
        #expect(throws: LabelMatcher.SyntaxError.self) { try LabelMatcher.parse("a=b,,c=d") }
        #expect(throws: LabelMatcher.SyntaxError.self) { try LabelMatcher.parse(#"a="b"#) }
        #expect(throws: LabelMatcher.SyntaxError.self) { try LabelMatcher.parse(#"a=b"c"#) }
        #expect(throws: LabelMatcher.SyntaxError.self) { try LabelMatcher.parse(#"1a="b""#) }
        #expect(throws: LabelMatcher.SyntaxError.self) { try LabelMatcher.parse(#"a-b="c""#) }
    }

    @Test(
        "regexes match whole values, as RE2 would",
        arguments: [
            ("page|critical", "page", true), ("page|critical", "pager", false), ("page|critical", "xpage", false),
            ("", "", true), ("", "x", false), (".*", "", true), ("a$", "a", true), ("a$", "a\n", false),
            ("a", "a\n", false), (#"\d+"#, "123", true), (#"\d+"#, "\u{661}\u{662}", false),
            (#"\w+"#, "caf\u{E9}", false), (#"[\d.]+"#, "1.5", true), (#"\S+"#, "a\u{A0}b", true),
            ("(?P<x>a)b", "ab", true), ("(?i)PAGE", "page", true), (#"\Qa.b\E"#, "a.b", true),
            (#"\Qa.b\E"#, "axb", false), ("a{2}", "aa", true), ("x*?y", "xxy", true), ("[]a]+", "]a", true),
        ])
    func regex(pattern: String, value: String, matches: Bool) throws {
        #expect(try AnchoredRegex(pattern).matches(value) == matches)
    }

    @Test(
        "what RE2 refuses is refused",
        arguments: [
            "(?=a)", "(?!a)", "(?<=a)b", "(?<!a)b", "(?>a)", #"(a)\1"#, "a*+", "a++", "a**", "a{2}+", #"a\Z"#, "(",
        ])
    func regexRefused(pattern: String) {
        #expect(throws: AnchoredRegex.RegexSyntaxError.self) { try AnchoredRegex(pattern) }
    }
}
