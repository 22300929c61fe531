/// A recursive-descent parser for the grammar of RFC 9535, over Unicode scalars so that error offsets line up
/// with spec columns. Type rules (section 2.4.3) are checked as the expression is read.
struct JSONPathParser {
    typealias Query = JSONPath.Query
    typealias LogicalExpression = JSONPath.LogicalExpression

    /// How deeply filters, parentheses and function calls may nest; deeper input is refused, not recursed into.
    static let maximumNesting = 64
    /// Indexes and slice bounds must be exact in a double (RFC 9535 section 2.1, I-JSON).
    static let maximumInteger = 9_007_199_254_740_991

    let scalars: [Unicode.Scalar]
    var index = 0
    var nesting = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    /// What can stand on either side of a comparison or on its own as a test, before its role is known.
    enum Operand {
        case literal(JSONValue)
        case query(Query)
        case function(JSONPath.FunctionCall)
    }

    mutating func parseWholeQuery() throws(JSONPathError) -> Query {
        guard let first = peek() else { throw error("the expression is empty; expected '$'", at: 0) }
        guard first == "$" else {
            if first == "@" {
                throw error("a query starts with '$'; '@' (the current node) is only allowed inside a filter", at: 0)
            }
            if Self.isBlank(first) { throw error("leading whitespace is not allowed; expected '$'", at: 0) }
            throw error("unexpected \(describe(first)); a JSONPath query starts with '$'", at: 0)
        }
        let query = try parseQuery()
        if index < scalars.count {
            let end = index
            skipBlanks()
            if index == scalars.count {
                throw error("trailing whitespace is not allowed; expected the end of the expression", at: end)
            }
            throw unexpected(expected: "'.', '..', '[' or the end of the expression")
        }
        return query
    }

    // MARK: Queries and segments

    /// Reads `$` or `@` and the segments after it.
    mutating func parseQuery() throws(JSONPathError) -> Query {
        let isRelative = scalars[index] == "@"
        index += 1
        var segments: [JSONPath.Segment] = []
        while true {
            let save = index
            skipBlanks()
            guard let c = peek(), c == "." || c == "[" else {
                index = save
                break
            }
            segments.append(try parseSegment())
        }
        return Query(isRelative: isRelative, segments: segments)
    }

    private mutating func parseSegment() throws(JSONPathError) -> JSONPath.Segment {
        if peek() == "[" { return JSONPath.Segment(isDescendant: false, selectors: try parseBracketedSelection()) }
        index += 1  // "."
        if peek() == "." {
            index += 1
            if peek() == "[" { return JSONPath.Segment(isDescendant: true, selectors: try parseBracketedSelection()) }
            if peek() == "*" {
                index += 1
                return JSONPath.Segment(isDescendant: true, selectors: [.wildcard])
            }
            if let name = parseMemberNameShorthand() {
                return JSONPath.Segment(isDescendant: true, selectors: [.name(name)])
            }
            throw unexpected(expected: "a member name, '*' or '[' after '..'")
        }
        if peek() == "*" {
            index += 1
            return JSONPath.Segment(isDescendant: false, selectors: [.wildcard])
        }
        if let name = parseMemberNameShorthand() {
            return JSONPath.Segment(isDescendant: false, selectors: [.name(name)])
        }
        var hint = ""
        if let c = peek() {
            if c == "'" || c == "\"" { hint = " (a quoted name goes in brackets: ['name'])" }
            if Self.isDigit(c) || c == "-" {
                hint = " (an index goes in brackets: [0]; a member name cannot start with a digit)"
            }
        }
        throw unexpected(expected: "a member name or '*' after '.'", hint: hint)
    }

    private mutating func parseMemberNameShorthand() -> String? {
        guard let first = peek(), Self.isNameFirst(first) else { return nil }
        var name = String.UnicodeScalarView()
        while let c = peek(), Self.isNameFirst(c) || Self.isDigit(c) {
            name.append(c)
            index += 1
        }
        return String(name)
    }

    private mutating func parseBracketedSelection() throws(JSONPathError) -> [JSONPath.Selector] {
        let open = index
        index += 1  // "["
        skipBlanks()
        if peek() == "]" { throw unexpected(expected: "a selector in the brackets: " + Self.selectorKinds) }
        var selectors: [JSONPath.Selector] = []
        while true {
            skipBlanks()
            selectors.append(try parseSelector())
            skipBlanks()
            switch peek() {
            case ",":
                index += 1
            case "]":
                index += 1
                return selectors
            default:
                throw unexpected(expected: "',' or ']' to close the '[' at offset \(open)")
            }
        }
    }

    private static let selectorKinds = "a quoted name, '*', an index, a slice (start:end:step) or a filter (?…)"

    private mutating func parseSelector() throws(JSONPathError) -> JSONPath.Selector {
        guard let c = peek() else { throw unexpected(expected: "a selector: " + Self.selectorKinds) }
        switch c {
        case "'", "\"":
            return .name(try parseStringLiteral())
        case "*":
            index += 1
            return .wildcard
        case "?":
            let mark = index
            index += 1
            try enterNesting(at: mark)
            skipBlanks()
            let expression = try parseLogicalOr()
            nesting -= 1
            return .filter(expression)
        case ":", "-", "0"..."9":
            return try parseIndexOrSlice()
        default:
            var hint = ""
            if Self.isNameFirst(c) { hint = " (a member name in brackets is quoted: ['name'])" }
            throw unexpected(expected: "a selector: " + Self.selectorKinds, hint: hint)
        }
    }

    private mutating func parseIndexOrSlice() throws(JSONPathError) -> JSONPath.Selector {
        var start: Int?
        if peek() != ":" { start = try parseInteger() }
        let save = index
        skipBlanks()
        guard peek() == ":" else {
            index = save
            return .index(start ?? 0)
        }
        index += 1
        skipBlanks()
        var end: Int?
        if let c = peek(), c == "-" || Self.isDigit(c) {
            end = try parseInteger()
            skipBlanks()
        }
        var step: Int?
        if peek() == ":" {
            index += 1
            skipBlanks()
            if let c = peek(), c == "-" || Self.isDigit(c) { step = try parseInteger() }
        }
        return .slice(start: start, end: end, step: step)
    }

    /// Reads an `int` of the grammar: no leading zeros, no `-0`, within ±(2^53-1).
    private mutating func parseInteger() throws(JSONPathError) -> Int {
        let start = index
        let negative = peek() == "-"
        if negative { index += 1 }
        guard let first = peek(), Self.isDigit(first) else {
            throw unexpected(expected: negative ? "a digit after '-'" : "an integer")
        }
        if first == "0" {
            index += 1
            if negative { throw error("-0 is not a valid index; write 0", at: start) }
            if let next = peek(), Self.isDigit(next) {
                throw error("an integer cannot have leading zeros", at: start)
            }
            return 0
        }
        var value = 0
        var tooLarge = false
        while let c = peek(), Self.isDigit(c) {
            if !tooLarge {
                value = value * 10 + Int(c.value - 48)
                tooLarge = value > Self.maximumInteger
            }
            index += 1
        }
        if tooLarge {
            throw error(
                "\(text(start..<index)) is out of range; an index or slice bound must be between "
                    + "-\(Self.maximumInteger) and \(Self.maximumInteger)", at: start)
        }
        return negative ? -value : value
    }

    // MARK: String literals

    mutating func parseStringLiteral() throws(JSONPathError) -> String {
        let open = index
        let quote = scalars[index]
        index += 1
        var result = String.UnicodeScalarView()
        while let c = peek() {
            if c == quote {
                index += 1
                return String(result)
            }
            if c == "\\" {
                result.append(try parseEscape(quote: quote))
            } else if c.value < 0x20 {
                throw error(
                    "control character \(Self.codePoint(c)) must be escaped in a string literal (for example \\n "
                        + "or \\u\(Self.hex4(c.value)))", at: index)
            } else {
                result.append(c)
                index += 1
            }
        }
        throw error("unterminated string literal; expected a closing \(quote == "'" ? "\"'\"" : "'\"'")", at: open)
    }

    private mutating func parseEscape(quote: Unicode.Scalar) throws(JSONPathError) -> Unicode.Scalar {
        let start = index
        index += 1  // "\"
        guard let c = peek() else { throw unexpected(expected: "an escape character after '\\'") }
        index += 1
        switch c {
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "/": return "/"
        case "\\": return "\\"
        case quote: return quote
        case "u":
            let high = try parseHex4()
            if (0xDC00...0xDFFF).contains(high) {
                throw error("\\u\(Self.hex4(high)) is a lone low surrogate; it must follow a high surrogate", at: start)
            }
            guard (0xD800...0xDBFF).contains(high) else {
                // Not a surrogate, so always a scalar.
                return Unicode.Scalar(high) ?? "\u{FFFD}"
            }
            let lowStart = index
            guard peek() == "\\", peek(1) == "u" else {
                throw error(
                    "\\u\(Self.hex4(high)) is a high surrogate; it must be followed by a low surrogate \\uDC00-\\uDFFF",
                    at: start)
            }
            index += 2
            let low = try parseHex4()
            guard (0xDC00...0xDFFF).contains(low) else {
                throw error(
                    "\\u\(Self.hex4(high)) must be followed by a low surrogate \\uDC00-\\uDFFF, not \\u\(Self.hex4(low))",
                    at: lowStart)
            }
            return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)) ?? "\u{FFFD}"
        default:
            let other: Unicode.Scalar = quote == "'" ? "\"" : "'"
            let hint = c == other ? " (\(other) needs no escape between \(quote) quotes)" : ""
            throw error(
                "invalid escape '\\\(c)' in a string literal; expected \\b, \\f, \\n, \\r, \\t, \\/, \\\\, \\\(quote) "
                    + "or \\uXXXX\(hint)", at: start)
        }
    }

    private mutating func parseHex4() throws(JSONPathError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let c = peek(), let digit = Self.hexValue(c) else {
                throw unexpected(expected: "four hex digits after '\\u'")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    // MARK: Scanning

    mutating func enterNesting(at offset: Int) throws(JSONPathError) {
        nesting += 1
        if nesting > Self.maximumNesting {
            throw error(
                "filters, parentheses and function calls are nested more than \(Self.maximumNesting) deep", at: offset)
        }
    }

    func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        index + ahead < scalars.count ? scalars[index + ahead] : nil
    }

    func lookingAt(_ token: String) -> Bool {
        var at = index
        for scalar in token.unicodeScalars {
            guard at < scalars.count, scalars[at] == scalar else { return false }
            at += 1
        }
        return true
    }

    mutating func skipBlanks() {
        while let c = peek(), Self.isBlank(c) { index += 1 }
    }

    mutating func skipDigits() {
        while let c = peek(), Self.isDigit(c) { index += 1 }
    }

    func text(_ range: Range<Int>) -> String {
        String(String.UnicodeScalarView(scalars[range]))
    }

    func error(_ message: String, at offset: Int) -> JSONPathError {
        JSONPathError(message: message, offset: offset)
    }

    /// An error at the current position naming what was found there.
    func unexpected(expected: String, hint: String = "") -> JSONPathError {
        guard let c = peek() else {
            return error("unexpected end of the expression; expected \(expected)\(hint)", at: index)
        }
        var hint = hint
        if hint.isEmpty {
            if c == "&", peek(1) != "&" { hint = " ('&&' is the logical and)" }
            if c == "|", peek(1) != "|" { hint = " ('||' is the logical or)" }
            if c == "=", peek(1) != "=" { hint = " ('==' tests equality)" }
        }
        return error("unexpected \(describe(c)); expected \(expected)\(hint)", at: index)
    }

    func describe(_ c: Unicode.Scalar) -> String {
        if Self.isBlank(c) { return "whitespace" }
        if c.value < 0x20 || c.value == 0x7F { return Self.codePoint(c) }
        return "'\(c)'"
    }

    static func isBlank(_ c: Unicode.Scalar) -> Bool { c == " " || c == "\t" || c == "\n" || c == "\r" }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    static func isNameFirst(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c) || c == "_" || c.value >= 0x80
    }

    static func hexValue(_ c: Unicode.Scalar) -> UInt32? {
        switch c {
        case "0"..."9": return c.value - 48
        case "a"..."f": return c.value - 87
        case "A"..."F": return c.value - 55
        default: return nil
        }
    }

    static func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    static func codePoint(_ c: Unicode.Scalar) -> String { "U+" + hex4(c.value) }
}
