import Foundation

/// Text with `{{name}}` placeholders, filled from captured variables.
package enum Template {
    package struct MissingVariable: Error, Sendable {
        package var name: String
    }

    /// The variable names used in `text`, in order of appearance.
    package static func names(in text: String) -> [String] {
        var names: [String] = []
        scan(text) { name in names.append(name) }
        return names
    }

    /// Replaces every `{{name}}` (spaces inside the braces allowed) with its value.
    package static func render(_ text: String, _ variables: [String: String]) throws(MissingVariable) -> String {
        guard text.contains("{{") else { return text }
        var missing: String?
        let out = scan(text) { name in
            if variables[name] == nil, missing == nil { missing = name }
        } replace: {
            variables[$0] ?? ""
        }
        if let missing { throw MissingVariable(name: missing) }
        return out
    }

    /// Text that renders as `text` itself: each brace written as the literal `{{"{"}}` or `{{"}"}}`,
    /// so that text from the environment is data, never read as a placeholder.
    package static func literal(_ text: String) -> String {
        guard text.contains(where: { $0 == "{" || $0 == "}" }) else { return text }
        var out = ""
        for character in text {
            switch character {
            case "{": out += #"{{"{"}}"#
            case "}": out += #"{{"}"}}"#
            default: out.append(character)
            }
        }
        return out
    }

    /// Walks the placeholders; `replace` gives each one's text in the result. At each `{{`: a literal
    /// brace (`{{"{"}}`, `{{"}"}}`, `{{"{{"}}` or `{{"}}"}}`, as in Go templates) stands for its braces;
    /// `{{ name }}` is a placeholder; anything else is text, read on from the next character.
    @discardableResult
    private static func scan(_ text: String, visit: (String) -> Void, replace: ((String) -> String)? = nil) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            if let (braces, end) = literalBraces(after) {
                out += braces
                rest = after[end...]
                continue
            }
            if let close = after.range(of: "}}") {
                let inner = after[..<close.lowerBound]
                let name = inner.trimmingCharacters(in: .whitespaces)
                if !inner.contains("{"), isName(name) {
                    visit(name)
                    out += replace?(name) ?? String(rest[open.lowerBound..<close.upperBound])
                    rest = after[close.upperBound...]
                    continue
                }
            }
            out += "{"
            rest = rest[rest.index(after: open.lowerBound)...]
        }
        out += rest
        return out
    }

    /// `"{"}}` and the like right after a `{{`: the braces meant and where the literal ends.
    private static func literalBraces(_ text: Substring) -> (String, Substring.Index)? {
        for braces in ["{", "}", "{{", "}}"] {
            let literal = "\"\(braces)\"}}"
            if text.hasPrefix(literal) { return (braces, text.index(text.startIndex, offsetBy: literal.count)) }
        }
        return nil
    }

    static func isName(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first,
            first == "_" || first.properties.isAlphabetic || ("0"..."9").contains(first)
        else { return false }
        return text.unicodeScalars.allSatisfy {
            $0 == "_" || $0 == "-" || $0 == "." || $0.properties.isAlphabetic || ("0"..."9").contains($0)
        }
    }
}
