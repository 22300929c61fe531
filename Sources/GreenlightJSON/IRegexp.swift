/// I-Regexp (RFC 9485), the interoperable regular expressions of JSONPath's match() and search(),
/// checked and translated to Swift `Regex` syntax.
///
/// The translation makes I-Regexp's meaning explicit: `.` matches any character but CR and LF, every literal
/// is escaped (so `^` and `$` stay literal), groups do not capture, and matching is by Unicode scalar.
enum IRegexp {
    /// How deeply groups may nest; deeper patterns are treated as invalid rather than recursed into.
    static let maximumNesting = 64
    /// The largest repetition count in `{n,m}`: the most Swift's `Regex` accepts. Larger counts, valid I-Regexp
    /// though they are, make the pattern unusable, so match() and search() are false.
    static let maximumRepetition = 65_535

    /// A compiled pattern, or nil when the text is not a valid I-Regexp.
    static func compile(_ pattern: String) -> Regex<AnyRegexOutput>? {
        guard let translated = translate(pattern) else { return nil }
        return (try? Regex(translated))?.matchingSemantics(.unicodeScalar)
    }

    /// The pattern in Swift `Regex` syntax, or nil when it is not a valid I-Regexp.
    static func translate(_ pattern: String) -> String? {
        var translator = Translator(scalars: Array(pattern.unicodeScalars))
        guard let translated = translator.regexp(), translator.isAtEnd else { return nil }
        return translated
    }

    /// The general categories `\p{…}` may name (RFC 9485 section 3, `IsCategory`).
    static let categories: Set<String> = [
        "L", "Lu", "Ll", "Lt", "Lm", "Lo", "M", "Mn", "Mc", "Me", "N", "Nd", "Nl", "No",
        "P", "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Z", "Zs", "Zl", "Zp",
        "S", "Sm", "Sc", "Sk", "So", "C", "Cc", "Cf", "Co", "Cn",
    ]
}

/// A recursive-descent reader of the I-Regexp grammar that writes the Swift equivalent as it goes.
private struct Translator {
    let scalars: [Unicode.Scalar]
    var index = 0
    var nesting = 0

    init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    var isAtEnd: Bool { index == scalars.count }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private func peek(_ ahead: Int) -> Unicode.Scalar? {
        index + ahead < scalars.count ? scalars[index + ahead] : nil
    }

    /// An escape: one literal character, or a category class already in Swift syntax.
    private enum Escape {
        case literal(Unicode.Scalar)
        case category(String)
    }

    /// `i-regexp = branch *( "|" branch )`
    mutating func regexp() -> String? {
        guard var out = branch() else { return nil }
        while current == "|" {
            index += 1
            guard let next = branch() else { return nil }
            out += "|" + next
        }
        return out
    }

    /// `branch = *piece`
    private mutating func branch() -> String? {
        var out = ""
        while let c = current, c != "|", c != ")" {
            guard let atom = atom(), let quantifier = quantifier() else { return nil }
            out += atom + quantifier
        }
        return out
    }

    private mutating func atom() -> String? {
        guard let c = current else { return nil }
        switch c {
        case "(":
            index += 1
            nesting += 1
            guard nesting <= IRegexp.maximumNesting, let inner = regexp(), current == ")" else { return nil }
            index += 1
            nesting -= 1
            return "(?:" + inner + ")"
        case "[":
            return characterClass()
        case ".":
            index += 1
            return "[^\\n\\r]"
        case "\\":
            switch escape() {
            case .literal(let scalar)?: return Self.literal(scalar)
            case .category(let text)?: return text
            case nil: return nil
            }
        case ")", "*", "+", "?", "{", "}", "|", "]":
            return nil
        default:
            index += 1
            return Self.literal(c)
        }
    }

    /// `quantifier`, or "" when there is none; nil when one is malformed.
    private mutating func quantifier() -> String? {
        switch current {
        case "*", "+", "?":
            defer { index += 1 }
            return String(scalars[index])
        case "{":
            index += 1
            guard let low = count() else { return nil }
            var out = "{\(low)"
            if current == "," {
                index += 1
                out += ","
                if let c = current, ("0"..."9").contains(c) {
                    guard let high = count(), low <= high else { return nil }
                    out += "\(high)"
                }
            }
            guard current == "}" else { return nil }
            index += 1
            return out + "}"
        default:
            return ""
        }
    }

    private mutating func count() -> Int? {
        var value = 0
        var digits = 0
        while let c = current, ("0"..."9").contains(c) {
            value = min(value * 10 + Int(c.value - 48), IRegexp.maximumRepetition + 1)
            digits += 1
            index += 1
        }
        return digits > 0 && value <= IRegexp.maximumRepetition ? value : nil
    }

    /// `charClassExpr = "[" [ "^" ] ( "-" / CCE1 ) *CCE1 [ "-" ] "]"`
    private mutating func characterClass() -> String? {
        index += 1
        var out = "["
        if current == "^" {
            index += 1
            out += "^"
        }
        var isFirst = true
        while true {
            guard let c = current else { return nil }
            if c == "]" {
                guard !isFirst else { return nil }
                index += 1
                return out + "]"
            }
            if c == "-" {
                // Only as the first or the last item.
                guard isFirst || peek(1) == "]" else { return nil }
                index += 1
                out += Self.literal("-")
                isFirst = false
                continue
            }
            isFirst = false
            let low: Unicode.Scalar
            if c == "\\" {
                switch escape() {
                case .category(let text)?:
                    out += text
                    continue
                case .literal(let scalar)?:
                    low = scalar
                case nil:
                    return nil
                }
            } else if c == "[" {
                return nil
            } else {
                index += 1
                low = c
            }
            if current == "-", let after = peek(1), after != "]" {
                index += 1
                guard let high = classCharacter(), low.value <= high.value else { return nil }
                out += Self.literal(low) + "-" + Self.literal(high)
            } else {
                out += Self.literal(low)
            }
        }
    }

    /// `CCchar`: a plain character other than `-`, `[`, `\`, `]`, or a single-character escape.
    private mutating func classCharacter() -> Unicode.Scalar? {
        guard let c = current else { return nil }
        switch c {
        case "\\":
            if case .literal(let scalar)? = escape() { return scalar }
            return nil
        case "-", "[", "]":
            return nil
        default:
            index += 1
            return c
        }
    }

    /// `SingleCharEsc / catEsc / complEsc`, starting at the backslash.
    private mutating func escape() -> Escape? {
        index += 1
        guard let c = current else { return nil }
        index += 1
        switch c {
        case "(", ")", "*", "+", "-", ".", "?", "[", "\\", "]", "^", "{", "|", "}": return .literal(c)
        case "n": return .literal("\n")
        case "r": return .literal("\r")
        case "t": return .literal("\t")
        case "p", "P":
            guard current == "{" else { return nil }
            index += 1
            var name = ""
            while let letter = current, letter != "}", name.unicodeScalars.count < 2 {
                name.unicodeScalars.append(letter)
                index += 1
            }
            guard current == "}", IRegexp.categories.contains(name) else { return nil }
            index += 1
            return .category("\\\(c){\(name)}")
        default:
            return nil
        }
    }

    /// A literal character in Swift syntax: ASCII letters and digits as they are, anything else as `\x{…}`.
    private static func literal(_ c: Unicode.Scalar) -> String {
        if c.isASCII, c.properties.isAlphabetic || ("0"..."9").contains(c) { return String(c) }
        return "\\x{" + String(c.value, radix: 16, uppercase: true) + "}"
    }
}
