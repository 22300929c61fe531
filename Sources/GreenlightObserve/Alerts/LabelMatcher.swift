/// One condition on an alert's labels, in Alertmanager's matcher syntax: `name="value"`,
/// `name!="value"`, `name=~"regex"`, `name!~"regex"`. A label the alert does not have counts as the
/// empty value, as in Alertmanager; a regex must match the whole value (see ``AnchoredRegex``).
public struct LabelMatcher: Sendable, Hashable, CustomStringConvertible {
    public enum Operator: String, Sendable, Hashable, CaseIterable {
        case equal = "="
        case notEqual = "!="
        case matchesRegex = "=~"
        case notMatchesRegex = "!~"
    }

    /// Why a matcher cannot be read.
    public struct SyntaxError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    public let name: String
    public let op: Operator
    public let value: String
    private let regex: AnchoredRegex?

    public init(_ name: String, _ op: Operator, _ value: String) throws(SyntaxError) {
        self.name = name
        self.op = op
        self.value = value
        switch op {
        case .equal, .notEqual: regex = nil
        case .matchesRegex, .notMatchesRegex:
            do {
                regex = try AnchoredRegex(value)
            } catch {
                throw SyntaxError(description: "\(Self.shown(name, op, value)) \(error.message)")
            }
        }
    }

    public func matches(_ labels: [String: String]) -> Bool {
        let actual = labels[name] ?? ""
        switch op {
        case .equal: return actual == value
        case .notEqual: return actual != value
        case .matchesRegex: return regex!.matches(actual)
        case .notMatchesRegex: return !regex!.matches(actual)
        }
    }

    /// The matcher in Alertmanager's syntax, the value quoted.
    public var description: String { Self.shown(name, op, value) }

    private static func shown(_ name: String, _ op: Operator, _ value: String) -> String {
        let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
        return "\(name)\(op.rawValue)\"\(escaped)\""
    }

    public static func == (a: LabelMatcher, b: LabelMatcher) -> Bool {
        a.name == b.name && a.op == b.op && a.value == b.value
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(name)
        hasher.combine(op)
        hasher.combine(value)
    }

    /// The matchers of one line: comma-separated, optionally inside `{…}`, as in Alertmanager's
    /// `matchers:` entries and amtool's arguments. Values may be double-quoted (`\"`, `\\` and `\n`
    /// are escapes inside) or bare.
    public static func parse(_ line: String) throws(SyntaxError) -> [LabelMatcher] {
        var text = Substring(line)
        if text.first == "{" { text = text.dropFirst() }
        if text.last == "}" { text = text.dropLast() }
        // Split at the commas outside quotes.
        var pieces: [String] = []
        var current = ""
        var quoted = false
        var escaped = false
        for character in text {
            if character == ",", !quoted {
                pieces.append(current)
                current = ""
                continue
            }
            if escaped {
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == "\"" {
                quoted.toggle()
            }
            current.append(character)
        }
        if !current.allSatisfy(\.isWhitespace) { pieces.append(current) }
        return try pieces.map { piece throws(SyntaxError) in try one(piece) }
    }

    /// One matcher such as `severity=~"page|critical"`.
    static func one(_ text: String) throws(SyntaxError) -> LabelMatcher {
        let bad = SyntaxError(
            description:
                "'\(text.trimmingWhitespace)' is not a matcher such as name=\"value\", name!=\"value\", name=~\"regex\" or name!~\"regex\""
        )
        var rest = Substring(text).drop { $0.isWhitespace }
        let name = rest.prefix { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == ":") }
        guard let first = name.first, !first.isNumber else { throw bad }
        rest = rest.dropFirst(name.count).drop { $0.isWhitespace }
        let op: Operator
        if rest.hasPrefix("=~") {
            op = .matchesRegex
        } else if rest.hasPrefix("!=") {
            op = .notEqual
        } else if rest.hasPrefix("!~") {
            op = .notMatchesRegex
        } else if rest.hasPrefix("=") {
            op = .equal
        } else {
            throw bad
        }
        rest = rest.dropFirst(op.rawValue.count).drop { $0.isWhitespace }
        let raw = String(rest).trimmingWhitespace
        return try LabelMatcher(String(name), op, try unquote(raw))
    }

    /// A matcher's value: quoted or bare, with its escapes resolved.
    static func unquote(_ raw: String) throws(SyntaxError) -> String {
        var body = Substring(raw)
        var closingQuoteDue = false
        if body.first == "\"" {
            body = body.dropFirst()
            closingQuoteDue = true
        }
        var value = ""
        var escaped = false
        var index = body.startIndex
        while index < body.endIndex {
            let character = body[index]
            let isLast = body.index(after: index) == body.endIndex
            defer { index = body.index(after: index) }
            if escaped {
                escaped = false
                switch character {
                case "n": value.append("\n")
                case "\"", "\\": value.append(character)
                default: value += "\\\(character)"
                }
                continue
            }
            switch character {
            case "\\":
                if isLast { value.append("\\") } else { escaped = true }
            case "\"":
                guard closingQuoteDue, isLast else {
                    throw SyntaxError(description: "the value \(raw) has a double quote that is not escaped (\\\")")
                }
                closingQuoteDue = false
            default:
                value.append(character)
            }
        }
        if closingQuoteDue {
            throw SyntaxError(description: "the value \(raw) opens a double quote that it does not close")
        }
        return value
    }
}

extension String {
    fileprivate var trimmingWhitespace: String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }
}
