/// A YAML value as the loader sees it: scalars kept as text, every value with its location,
/// and scalars that took text from the environment marked so that they are never printed.
public struct SpecValue: Sendable {
    public enum Kind: Sendable {
        case null
        case scalar(String)
        case sequence([SpecValue])
        case mapping([Entry])
    }

    public struct Entry: Sendable {
        public var key: String
        public var keyLocation: SourceLocation
        public var value: SpecValue
    }

    public var kind: Kind
    public var location: SourceLocation
    /// True when the scalar was quoted in the file ("…" or '…'), so it is text, not a number or a boolean.
    public var quoted: Bool
    /// The text as written in the file, before `${VAR}` substitution.
    public var source: String
    /// Names of environment variables whose values went into this scalar.
    public var environmentVariables: [String]
    /// True when `${VAR}` substitution failed; the problem is already reported, so the value is not checked further.
    public var unresolved = false

    /// True when some of the value came from the environment: it may be a secret and is never printed.
    public var isSecret: Bool { !environmentVariables.isEmpty }

    public var scalar: String? {
        if case .scalar(let text) = kind { return text }
        return nil
    }

    public var entries: [Entry]? {
        if case .mapping(let entries) = kind { return entries }
        return nil
    }

    public var elements: [SpecValue]? {
        if case .sequence(let elements) = kind { return elements }
        return nil
    }

    public var isNull: Bool {
        if case .null = kind { return true }
        return false
    }

    public subscript(key: String) -> SpecValue? {
        entries?.first { $0.key == key }?.value
    }

    /// Follows a chain of keys, returning nil when any is absent.
    public func at(_ keys: String...) -> SpecValue? {
        var current: SpecValue? = self
        for key in keys { current = current?[key] }
        return current
    }

    /// How the value is described in an error message; a secret is named by its source, never shown.
    public var shownForError: String {
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
