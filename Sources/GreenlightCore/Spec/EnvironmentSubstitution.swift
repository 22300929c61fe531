/// Expands `${NAME}` and `${NAME:-default}` in scalar text; `$${` stands for a literal `${`.
/// As in the shell, the default also stands in when the variable is set but empty.
struct EnvironmentSubstitution: Sendable {
    let environment: [String: String]

    struct Result {
        var text: String
        /// Variables whose values (not defaults) went into the text.
        var usedVariables: [String] = []
        var problems: [String] = []
        /// The text for fields that fill `{{name}}` placeholders, when a value from the environment held a
        /// brace: those braces written as literals (see ``Template/literal(_:)``), so they are never parsed.
        var templateText: String?
    }

    func expand(_ input: String) -> Result {
        guard input.contains("${") else { return Result(text: input) }
        var result = Result(text: "")
        var out = ""
        var template = ""
        var environmentBraces = false
        let chars = Array(input.unicodeScalars)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "$" {
                if i + 2 < chars.count, chars[i + 1] == "$", chars[i + 2] == "{" {
                    out += "${"
                    template += "${"
                    i += 3
                    continue
                }
                if i + 1 < chars.count, chars[i + 1] == "{" {
                    guard let close = chars[(i + 2)...].firstIndex(of: "}") else {
                        result.problems.append("unterminated '${': close it with '}' (write '$${' for a literal '${')")
                        out.unicodeScalars.append(contentsOf: chars[i...])
                        template.unicodeScalars.append(contentsOf: chars[i...])
                        break
                    }
                    let body = String(String.UnicodeScalarView(chars[(i + 2)..<close]))
                    let name: String
                    let fallback: String?
                    if let range = body.range(of: ":-") {
                        name = String(body[..<range.lowerBound])
                        fallback = String(body[range.upperBound...])
                    } else {
                        name = body
                        fallback = nil
                    }
                    if !Self.isValidName(name) {
                        result.problems.append(
                            "'${\(body)}' is not a valid variable reference: use ${NAME} or ${NAME:-default}, NAME of letters, digits and _"
                        )
                    } else if let value = environment[name], !(value.isEmpty && fallback != nil) {
                        out += value
                        template += Template.literal(value)
                        environmentBraces = environmentBraces || value.contains { $0 == "{" || $0 == "}" }
                        result.usedVariables.append(name)
                    } else if let fallback {
                        out += fallback
                        template += fallback
                    } else {
                        result.problems.append(
                            "environment variable \(name) is not set: export it, or give a default with ${\(name):-default}"
                        )
                    }
                    i = close + 1
                    continue
                }
            }
            out.unicodeScalars.append(c)
            template.unicodeScalars.append(c)
            i += 1
        }
        result.text = out
        if environmentBraces { result.templateText = template }
        return result
    }

    static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic)
        else { return false }
        return name.unicodeScalars.allSatisfy {
            $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
        }
    }
}
