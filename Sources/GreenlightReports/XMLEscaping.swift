/// Escaping of report text for XML 1.0.
enum XMLEscaping {
    /// Text content: `& < > " '` become references; characters XML 1.0 forbids are removed.
    static func text(_ text: String) -> String { HTMLEscaping.text(text) }

    /// A quoted attribute value: as ``text(_:)``, and tab, newline and carriage return become character
    /// references so attribute-value normalisation keeps them.
    static func attribute(_ text: String) -> String {
        var out = ""
        for scalar in HTMLEscaping.text(text).unicodeScalars {
            switch scalar {
            case "\t": out += "&#9;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
