import Foundation

/// A regular expression written for Go's RE2 (Alertmanager's `=~`, `!~` and `match_re`), matched as
/// Alertmanager matches it: against the whole value, as `^(?:re)$`.
///
/// It runs on ICU (`NSRegularExpression`), after a translation that closes the gaps between the two
/// that a label matcher can run into:
/// - `$` outside `(?m)` is the end of the text in RE2, but also the point before a final newline in
///   ICU: it is translated to `\z`, and the anchoring uses `\A` and `\z`.
/// - `\d`, `\w`, `\s` (and `\D`, `\W`, `\S`) are ASCII in RE2 (`[0-9]`, `[0-9A-Za-z_]`, `[\t\n\f\r ]`)
///   and Unicode in ICU: they are translated to the ASCII classes.
/// - `(?P<name>…)` groups are RE2's spelling of ICU's `(?<name>…)`.
/// - What RE2 refuses and ICU would accept is refused, as Alertmanager refuses the configuration:
///   lookaround (`(?=`, `(?!`, `(?<=`, `(?<!`), atomic groups `(?>`, backreferences `\1`…`\9`,
///   possessive or doubled quantifiers (`a*+`, `a**`), `\Z`.
///
/// Differences left: `\b` and `\B` use Unicode word characters in ICU (ASCII in RE2); case folding
/// under `(?i)` follows ICU's tables; RE2's `(?U)` (ungreedy) flag and `\C` are refused by ICU as
/// syntax errors; ICU accepts a few things RE2 does not (such as `\x{…}` ranges past U+10FFFF being
/// rejected differently, or set operations like `[a-z&&[^x]]`).
struct AnchoredRegex: Sendable {
    /// The pattern as written.
    let pattern: String
    private let compiled: NSRegularExpression

    /// Compiles `pattern`; throws a message saying what is wrong when RE2 or ICU would refuse it.
    init(_ pattern: String) throws(RegexSyntaxError) {
        self.pattern = pattern
        let translated = try Self.translate(pattern)
        do {
            compiled = try NSRegularExpression(pattern: "\\A(?:\(translated))\\z")
        } catch {
            throw RegexSyntaxError(message: "is not a valid regular expression")
        }
    }

    func matches(_ value: String) -> Bool {
        compiled.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }

    private enum Repetition {
        case none, quantified, lazy
    }

    struct RegexSyntaxError: Error, Sendable {
        /// What is wrong, to follow the pattern: "is not a valid regular expression".
        var message: String
    }

    /// The ICU form of an RE2 pattern.
    static func translate(_ pattern: String) throws(RegexSyntaxError) -> String {
        func refuse(_ what: String) -> RegexSyntaxError {
            RegexSyntaxError(message: "uses \(what), which Go's RE2 (and so Alertmanager) does not support")
        }
        let ascii: [Character: (plain: String, inClass: String)] = [
            "d": ("[0-9]", "0-9"), "D": ("[^0-9]", "[^0-9]"),
            "w": ("[0-9A-Za-z_]", "0-9A-Za-z_"), "W": ("[^0-9A-Za-z_]", "[^0-9A-Za-z_]"),
            "s": ("[\\t\\n\\f\\r ]", "\\t\\n\\f\\r "), "S": ("[^\\t\\n\\f\\r ]", "[^\\t\\n\\f\\r ]"),
        ]
        let multiline = pattern.range(of: #"\(\?[a-zA-Z]*m"#, options: .regularExpression) != nil
        let characters = Array(pattern)
        var out = ""
        var i = 0
        var inClass = false
        // After an atom, a quantifier may follow; after a quantifier only the laziness mark `?`.
        var repetition = Repetition.none
        /// The length of a repetition such as `{2}`, `{2,}` or `{2,5}` starting at `start`.
        func repetitionCount(at start: Int) -> Int? {
            var j = start + 1
            var digits = 0
            while j < characters.count, characters[j].isASCII, characters[j].isNumber {
                j += 1
                digits += 1
            }
            guard digits > 0, j < characters.count else { return nil }
            if characters[j] == "," {
                j += 1
                while j < characters.count, characters[j].isASCII, characters[j].isNumber { j += 1 }
            }
            guard j < characters.count, characters[j] == "}" else { return nil }
            return j + 1 - start
        }
        while i < characters.count {
            let c = characters[i]
            let next: Character? = i + 1 < characters.count ? characters[i + 1] : nil
            if c == "\\", next == "Q" {
                // \Q…\E quotes its text literally in both; copy it untouched.
                var end = i + 2
                while end < characters.count,
                    !(characters[end] == "\\" && end + 1 < characters.count && characters[end + 1] == "E")
                {
                    end += 1
                }
                out += String(characters[i..<min(end + 2, characters.count)])
                i = end + 2
                repetition = .none
                continue
            }
            if c == "\\", let next {
                if let replacement = ascii[next] {
                    out += inClass ? replacement.inClass : replacement.plain
                } else if next.isASCII, next.isNumber, next != "0" {
                    throw refuse("a backreference (\\\(next))")
                } else if next == "Z" {
                    throw refuse("\\Z")
                } else {
                    out.append(c)
                    out.append(next)
                }
                i += 2
                repetition = .none
                continue
            }
            if inClass {
                if c == "]" { inClass = false }
                if c == "[", next == ":" {
                    // A POSIX class such as [:alpha:] inside a set: copy it whole.
                    if let end = characters[(i + 2)...].firstIndex(of: "]") {
                        out += String(characters[i...end])
                        i = end + 1
                        continue
                    }
                }
                out.append(c)
                i += 1
                continue
            }
            switch c {
            case "[":
                inClass = true
                out.append(c)
                // A leading ] or ^] is a literal ] in both.
                if next == "^" {
                    out.append("^")
                    i += 1
                }
                if i + 1 < characters.count, characters[i + 1] == "]" {
                    out += "\\]"
                    i += 1
                }
            case "(" where next == "?":
                let rest = String(characters[(i + 2)...].prefix(3))
                if rest.hasPrefix("=") || rest.hasPrefix("!") || rest.hasPrefix("<=") || rest.hasPrefix("<!") {
                    throw refuse("lookaround")
                }
                if rest.hasPrefix(">") { throw refuse("an atomic group") }
                if rest.hasPrefix("P<") {
                    out += "(?<"
                    i += 4
                    continue
                }
                out.append(c)
            case "$" where !multiline:
                out += "\\z"
            case "*", "+", "?":
                switch repetition {
                case .quantified where c == "?": repetition = .lazy
                case .quantified, .lazy: throw refuse("a possessive or doubled quantifier")
                case .none: repetition = .quantified
                }
                out.append(c)
                i += 1
                continue
            case "{" where repetitionCount(at: i) != nil:
                let count = repetitionCount(at: i)!
                if repetition != .none { throw refuse("a doubled quantifier") }
                out += String(characters[i..<(i + count)])
                repetition = .quantified
                i += count
                continue
            default:
                out.append(c)
            }
            repetition = .none
            i += 1
        }
        return out
    }
}
