import GreenlightJSON

/// The shop's JSON documents (the parity descriptor, error bodies, log lines) are written with sorted keys.
extension JSONValue {
    /// A flat setting's text as a value: an integer or a boolean when it reads as one, a string otherwise.
    init(setting text: String) {
        if let int = Int(text) {
            self = .int(int)
        } else if text == "true" || text == "false" {
            self = .bool(text == "true")
        } else {
            self = .string(text)
        }
    }

    /// Sets the value at a dotted path (`config.max_connections`), making objects on the way as needed.
    mutating func set(_ value: JSONValue, atDottedPath path: String) {
        let keys = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard !keys.contains(where: \.isEmpty) else { return }
        set(value, at: keys[...])
    }

    private mutating func set(_ value: JSONValue, at keys: ArraySlice<String>) {
        guard let key = keys.first else {
            self = value
            return
        }
        var members: [(String, JSONValue)]
        if case .object(let existing) = self {
            members = existing
        } else {
            members = []
        }
        let index = members.firstIndex { $0.0 == key }
        var child = index.map { members[$0].1 } ?? .null
        child.set(value, at: keys.dropFirst())
        if let index { members[index].1 = child } else { members.append((key, child)) }
        self = .object(members)
    }

    /// Compact JSON text with object keys sorted.
    var jsonText: String { sortingKeys().serialized() }

    private func sortingKeys() -> JSONValue {
        switch self {
        case .array(let elements): return .array(elements.map { $0.sortingKeys() })
        case .object(let members):
            return .object(members.sorted { $0.0 < $1.0 }.map { ($0.0, $0.1.sortingKeys()) })
        default: return self
        }
    }

    /// Appends the value's text (keys sorted).
    func write(into text: inout String) {
        text += jsonText
    }

    /// Appends `value` as a JSON string literal.
    static func writeString(_ value: String, into text: inout String) {
        text += quote(value)
    }
}
