/// Escaping of report text for GitHub-flavoured Markdown.
enum MarkdownEscaping {
    /// Text shown literally in running Markdown: HTML is neutralised, Markdown punctuation backslash-escaped,
    /// and line breaks become spaces.
    static func text(_ text: String) -> String {
        var out = ""
        for scalar in HTMLEscaping.stripIllegal(text).unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\r": continue
            case "\n", "\t": out += " "
            case "\\", "`", "*", "_", "[", "]", "|", "#", "~", "!": out += "\\" + String(scalar)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Text for a table cell: like ``text(_:)``, but a line break becomes `<br>`.
    static func cell(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n", omittingEmptySubsequences: false)
            .map { Self.text(String($0)) }.joined(separator: "<br>")
    }

    /// Inline code as an HTML `<code>` element, so that its text can be escaped like any other; a code span
    /// would show entities literally and leave `<script>` in the file.
    static func code(_ text: String) -> String { "<code>" + Self.text(text) + "</code>" }
}
