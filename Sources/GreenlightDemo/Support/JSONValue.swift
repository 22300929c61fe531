/// A JSON document built at run time (the parity descriptor, log lines), written with sorted keys.
enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

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
        var members: [String: JSONValue]
        if case .object(let existing) = self {
            members = existing
        } else {
            members = [:]
        }
        var child = members[key] ?? .null
        child.set(value, at: keys.dropFirst())
        members[key] = child
        self = .object(members)
    }

    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members[key]
    }

    /// Compact JSON text with object keys sorted.
    var jsonText: String {
        var text = ""
        write(into: &text)
        return text
    }

    func write(into text: inout String) {
        switch self {
        case .null:
            text += "null"
        case .bool(let value):
            text += value ? "true" : "false"
        case .int(let value):
            text += String(value)
        case .double(let value):
            text += value.isFinite ? String(value) : "null"
        case .string(let value):
            Self.writeString(value, into: &text)
        case .array(let elements):
            text += "["
            for (index, element) in elements.enumerated() {
                if index > 0 { text += "," }
                element.write(into: &text)
            }
            text += "]"
        case .object(let members):
            text += "{"
            for (index, key) in members.keys.sorted().enumerated() {
                if index > 0 { text += "," }
                Self.writeString(key, into: &text)
                text += ":"
                members[key]!.write(into: &text)
            }
            text += "}"
        }
    }

    static func writeString(_ value: String, into text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
