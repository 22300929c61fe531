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

    /// Walks the placeholders; `replace` gives each one's text in the result.
    @discardableResult
    private static func scan(_ text: String, visit: (String) -> Void, replace: ((String) -> String)? = nil) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            out += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                out += rest[open.lowerBound...]
                return out
            }
            let name = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if isName(name) {
                visit(name)
                out += replace?(name) ?? String(rest[open.lowerBound..<close.upperBound])
            } else {
                out += rest[open.lowerBound..<close.upperBound]
            }
            rest = rest[close.upperBound...]
        }
        out += rest
        return out
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
