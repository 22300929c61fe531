import Foundation
import GreenlightCore
import GreenlightJSON

/// Values taken from a response for later steps.
enum Captures {
    struct Problem: Error {
        var expected: String
        var actual: String
    }

    static func value(_ source: CaptureSpec.Source, response: HTTPResponseRecord, json: () -> JSONValue?) -> Result<
        String, Problem
    > {
        switch source {
        case .jsonpath(let expression):
            guard let path = try? JSONPath(parsing: expression) else {
                return .failure(Problem(expected: "a valid JSONPath", actual: expression))
            }
            guard let document = json() else {
                return .failure(
                    Problem(
                        expected: "a JSON body to apply \(expression) to", actual: Assertions.describeBody(response)))
            }
            guard let first = path.select(in: document).first else {
                return .failure(Problem(expected: "\(expression) to select a value", actual: "nothing"))
            }
            return .success(Assertions.text(first))
        case .header(let name):
            guard let value = response.header(name) else {
                return .failure(Problem(expected: "a \(name) header", actual: "no such header"))
            }
            return .success(value)
        case .cookie(let name):
            var jar = CookieJar()
            jar.store(setCookie: response.headers("Set-Cookie"), host: "")
            guard let value = jar.value(named: name) else {
                return .failure(Problem(expected: "a Set-Cookie for \(name)", actual: "no such cookie"))
            }
            return .success(value)
        case .regex(let pattern):
            guard let regex = try? NSRegularExpression(pattern: pattern) else {
                return .failure(Problem(expected: "a valid regular expression", actual: pattern))
            }
            let body = response.bodyText
            guard let match = regex.firstMatch(in: body, range: NSRange(body.startIndex..., in: body)) else {
                return .failure(Problem(expected: "the body to match /\(pattern)/", actual: "no match"))
            }
            let group = match.numberOfRanges > 1 ? match.range(at: 1) : match.range
            guard let range = Range(group, in: body) else { return .success("") }
            return .success(String(body[range]))
        }
    }
}

/// Checks a response against a step's `expect`.
struct Assertions: Sendable {
    var expect: ExpectSpec
    var variables: [String: String]
    var certificateDays: @Sendable (String, Int) async -> Result<Int, HTTPFailure>

    func check(_ response: HTTPResponseRecord, url: URLComponents?, json: () -> JSONValue?) async -> [AssertionFailure]
    {
        var failures: [AssertionFailure] = []
        func fail(_ assertion: String, _ expected: String, _ actual: String) {
            failures.append(AssertionFailure(assertion: assertion, expected: expected, actual: actual))
        }
        func fill(_ text: String) -> String { (try? Template.render(text, variables)) ?? text }

        if let status = expect.status, response.status != status {
            fail("status", "\(status)", "\(response.status)")
        }
        for (name, expected) in expect.headers {
            let want = fill(expected)
            let got = response.headers(name)
            if !got.contains(where: { $0 == want }) {
                fail(
                    "header \(name)", "'\(want)'",
                    got.isEmpty ? "no \(name) header" : got.map { "'\($0)'" }.joined(separator: ", "))
            }
        }
        if let text = expect.bodyContains {
            let want = fill(text)
            if !response.bodyText.contains(want) {
                fail("body contains", "'\(want)'", Self.describeBody(response))
            }
        }
        if let budget = expect.duration, !budget.allows(response.seconds) {
            fail("duration", "\(budget)", "\(Int((response.seconds * 1000).rounded()))ms")
        }
        if !expect.jsonpath.isEmpty {
            if let document = json() {
                for (expression, predicate) in expect.jsonpath {
                    guard let path = try? JSONPath(parsing: expression) else {
                        fail("jsonpath \(expression)", "a valid JSONPath", "an invalid one")
                        continue
                    }
                    let nodes = path.select(in: document)
                    for problem in Self.evaluate(predicate, nodes: nodes, fill: fill) {
                        let name =
                            problem.predicate.isEmpty
                            ? "jsonpath \(expression)" : "jsonpath \(expression) \(problem.predicate)"
                        fail(name, problem.expected, problem.actual)
                    }
                }
            } else {
                fail("jsonpath", "a JSON body", Self.describeBody(response))
            }
        }
        if let minimum = expect.tlsMinDaysValid {
            if url?.scheme?.lowercased() != "https" {
                fail("tls_min_days_valid", "an https:// URL", url?.scheme.map { "\($0)://" } ?? "no URL")
            } else {
                switch await certificateDays(url?.host ?? "", url?.port ?? 443) {
                case .success(let days) where days < minimum:
                    fail("tls_min_days_valid", "at least \(minimum) days of certificate validity", "\(days) days")
                case .success: break
                case .failure(let error): fail("tls_min_days_valid", "a certificate to inspect", error.description)
                }
            }
        }
        return failures
    }

    struct PredicateProblem {
        var predicate: String
        var expected: String
        var actual: String
    }

    /// Every predicate given must hold of the selected value (the first node).
    static func evaluate(_ p: JSONPathPredicate, nodes: [JSONValue], fill: (String) -> String) -> [PredicateProblem] {
        var problems: [PredicateProblem] = []
        func problem(_ name: String, _ expected: String, _ actual: String) {
            problems.append(PredicateProblem(predicate: name, expected: expected, actual: actual))
        }
        if let exists = p.exists {
            if exists, nodes.isEmpty { problem("exists", "a value", "nothing") }
            if !exists, let first = nodes.first { problem("exists: false", "nothing", show(first)) }
        }
        let others =
            p.equals != nil || p.notEquals != nil || p.lessThan != nil || p.atMost != nil || p.greaterThan != nil
            || p.atLeast != nil || p.contains != nil || p.matches != nil || p.isEmpty != nil || p.type != nil
        guard others else { return problems }
        guard let value = nodes.first else {
            problem("", "a value", "nothing")
            return problems
        }
        func filled(_ v: JSONValue) -> JSONValue { (try? RequestBuilder.fill(v) { fill($0) }) ?? v }
        if let want = p.equals.map(filled), value != want { problem("equals", show(want), show(value)) }
        if let unwanted = p.notEquals.map(filled), value == unwanted {
            problem("not_equals", "anything but \(show(unwanted))", show(value))
        }
        let comparisons: [(String, Double?, (Double, Double) -> Bool, String)] = [
            ("less_than", p.lessThan, { $0 < $1 }, "<"), ("at_most", p.atMost, { $0 <= $1 }, "<="),
            ("greater_than", p.greaterThan, { $0 > $1 }, ">"), ("at_least", p.atLeast, { $0 >= $1 }, ">="),
        ]
        for (name, limit, holds, symbol) in comparisons {
            guard let limit else { continue }
            guard let number = number(value) else {
                problem(name, "a number \(symbol) \(Format.number(limit))", show(value))
                continue
            }
            if !holds(number, limit) { problem(name, "\(symbol) \(Format.number(limit))", show(value)) }
        }
        if let needle = p.contains.map(filled) {
            switch (value, needle) {
            case (.string(let s), .string(let n)): if !s.contains(n) { problem("contains", show(needle), show(value)) }
            case (.array(let items), _):
                if !items.contains(needle) { problem("contains", "an array containing \(show(needle))", show(value)) }
            default: problem("contains", "a string or array containing \(show(needle))", show(value))
            }
        }
        if let pattern = p.matches.map(fill) {
            if case .string(let s) = value, let regex = try? NSRegularExpression(pattern: pattern) {
                if regex.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) == nil {
                    problem("matches", "/\(pattern)/", show(value))
                }
            } else {
                problem("matches", "a string matching /\(pattern)/", show(value))
            }
        }
        if let empty = p.isEmpty {
            let isEmpty: Bool?
            switch value {
            case .string(let s): isEmpty = s.isEmpty
            case .array(let a): isEmpty = a.isEmpty
            case .object(let o): isEmpty = o.isEmpty
            default: isEmpty = nil
            }
            if isEmpty != empty {
                problem(empty ? "is_empty" : "is_empty: false", empty ? "empty" : "not empty", show(value))
            }
        }
        if let type = p.type, typeName(value, wanted: type) != type {
            problem("type", type, "\(typeName(value, wanted: type)) \(show(value))")
        }
        return problems
    }

    static func number(_ v: JSONValue) -> Double? {
        switch v {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }

    static func typeName(_ v: JSONValue, wanted: String) -> String {
        switch v {
        case .null: return "null"
        case .bool: return "boolean"
        case .int: return wanted == "number" ? "number" : "integer"
        case .double(let d): return wanted == "integer" && d == d.rounded() ? "integer" : "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// A value as the user would write it, clipped.
    static func show(_ v: JSONValue) -> String {
        let text = v.serialized()
        return text.count > 200 ? String(text.prefix(197)) + "..." : text
    }

    /// A captured value as text: strings as they are, other values as compact JSON.
    static func text(_ v: JSONValue) -> String {
        if case .string(let s) = v { return s }
        return v.serialized()
    }

    static func describeBody(_ response: HTTPResponseRecord) -> String {
        if response.body.isEmpty { return "an empty body" }
        let text = response.bodyText
        let clipped = text.count > 200 ? String(text.prefix(197)) + "..." : text
        return "'\(clipped.replacingOccurrences(of: "\n", with: "\\n"))'"
    }
}
