/// Escaping of report text for HTML and XML.
enum HTMLEscaping {
    /// Text safe in HTML element content and in quoted attribute values: `& < > " '` become references,
    /// and characters HTML forbids are removed.
    static func text(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars where isAllowed(scalar) {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` without the characters ``isAllowed(_:)`` rejects.
    static func stripIllegal(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        out.append(contentsOf: text.unicodeScalars.filter(isAllowed))
        return String(out)
    }

    /// Whether a character may appear in XML 1.0 (and sensibly in HTML): tab, newline and carriage return are
    /// the only control characters kept; DEL, the C1 controls and the noncharacters U+FFFE and U+FFFF go.
    static func isAllowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return true
        case 0x00..<0x20, 0x7F..<0xA0, 0xFFFE, 0xFFFF: return false
        default: return true
        }
    }
}
