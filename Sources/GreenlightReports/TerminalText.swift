/// Text made safe and laid out for a terminal: control characters neutralised, words wrapped, columns padded.
public enum TerminalText {
    /// Report text with nothing a terminal would act on: line breaks and tabs become spaces, other control
    /// characters (ESC among them) become U+FFFD, and bidirectional overrides are dropped.
    public static func clean(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D: out.append(" ")
            case 0x00..<0x20, 0x7F..<0xA0: out.append("\u{FFFD}")
            case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F: continue
            default: out.append(scalar)
            }
        }
        return String(out)
    }

    /// ``clean(_:)`` line by line: the line breaks between lines stay.
    public static func cleanLines(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).map { clean(String($0)) }.joined(
            separator: "\n")
    }

    /// Splits `text` into lines of at most `width` characters, breaking at spaces where it can.
    static func wrap(_ text: String, width: Int) -> [String] {
        let width = max(width, 1)
        var lines: [String] = []
        var line = ""
        var lineCount = 0
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            // Characters counted once per word, so long unbroken text stays linear.
            let chars = Array(word)
            if lineCount > 0, lineCount + 1 + chars.count <= width {
                line += " " + word
                lineCount += 1 + chars.count
                continue
            }
            if lineCount > 0 { lines.append(line) }
            var start = 0
            while chars.count - start > width {
                lines.append(String(chars[start..<(start + width)]))
                start += width
            }
            line = String(chars[start...])
            lineCount = chars.count - start
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    /// `text` cut to `width` characters, with an ellipsis when cut.
    static func truncate(_ text: String, to width: Int) -> String {
        guard text.count > width else { return text }
        return width <= 1 ? String(text.prefix(width)) : String(text.prefix(width - 1)) + "…"
    }

    /// `text` followed by spaces up to `width` characters.
    static func pad(_ text: String, to width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }
}

/// ANSI SGR styling that is a no-op when colour is off.
struct ANSIStyle: Sendable {
    var enabled: Bool

    static let bold = "1"
    static let dim = "2"
    static let red = "31"
    static let green = "32"
    static let yellow = "33"
    static let cyan = "36"

    func paint(_ text: String, _ codes: String...) -> String {
        guard enabled, !codes.isEmpty, !text.isEmpty else { return text }
        return "\u{1B}[" + codes.joined(separator: ";") + "m" + text + "\u{1B}[0m"
    }
}
