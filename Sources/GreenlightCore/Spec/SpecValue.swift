/// A YAML value as the loader sees it: scalars kept as text, every value with its location,
/// and scalars that took text from the environment marked so that they are never printed.
package struct SpecValue: Sendable {
    package enum Kind: Sendable {
        case null
        case scalar(String)
        case sequence([SpecValue])
        case mapping([Entry])
    }

    package struct Entry: Sendable {
        package var key: String
        package var keyLocation: SourceLocation
        package var value: SpecValue
    }

    package var kind: Kind
    package var location: SourceLocation
    /// True when the scalar was quoted in the file ("…" or '…'), so it is text, not a number or a boolean.
    package var quoted: Bool
    /// The text as written in the file, before `${VAR}` substitution.
    package var source: String
    /// Names of environment variables whose values went into this scalar.
    package var environmentVariables: [String]
    /// True when `${VAR}` substitution failed; the problem is already reported, so the value is not checked further.
    package var unresolved = false
    /// The scalar as fields with `{{name}}` placeholders read it, when it differs from the text: braces
    /// that came from the environment written as literals, so a secret such as `{{x}}` stays data.
    package var templateText: String?

    /// True when some of the value came from the environment: it may be a secret and is never printed.
    package var isSecret: Bool { !environmentVariables.isEmpty }

    /// This value as a request or an assertion reads it: every scalar's ``templateText`` in place of its text.
    package func templated() -> SpecValue {
        var copy = self
        switch kind {
        case .null: break
        case .scalar: if let templateText { copy.kind = .scalar(templateText) }
        case .sequence(let elements): copy.kind = .sequence(elements.map { $0.templated() })
        case .mapping(let entries):
            copy.kind = .mapping(
                entries.map { .init(key: $0.key, keyLocation: $0.keyLocation, value: $0.value.templated()) })
        }
        return copy
    }

    package var scalar: String? {
        if case .scalar(let text) = kind { return text }
        return nil
    }

    package var entries: [Entry]? {
        if case .mapping(let entries) = kind { return entries }
        return nil
    }

    package var elements: [SpecValue]? {
        if case .sequence(let elements) = kind { return elements }
        return nil
    }

    package var isNull: Bool {
        if case .null = kind { return true }
        return false
    }

    package subscript(key: String) -> SpecValue? {
        entries?.first { $0.key == key }?.value
    }

    /// Follows a chain of keys, returning nil when any is absent.
    package func at(_ keys: String...) -> SpecValue? {
        var current: SpecValue? = self
        for key in keys { current = current?[key] }
        return current
    }

    /// How the value is described in an error message; a secret is named by its source, never shown.
    package var shownForError: String {
        switch kind {
        case .null: return "nothing (null)"
        case .sequence: return "a list"
        case .mapping: return "a mapping"
        case .scalar(let text):
            if isSecret {
                return "a value from \(environmentVariables.map { "${\($0)}" }.joined(separator: ", ")) (not shown)"
            }
            let clipped = text.count > 60 ? String(text.prefix(57)) + "..." : text
            return "'\(clipped)'"
        }
    }
}
