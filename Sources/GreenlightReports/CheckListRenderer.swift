import GreenlightCore

/// The terminal form of one part of the gate run alone (`greenlight smoke | deps | parity`): a line
/// per check with the same markers and colours as the full report, the details of those that did not
/// pass, and a closing count. Every text is cleaned: a server's escape sequences print inert.
public enum CheckListRenderer {
    public static func render(_ checks: [CheckResult], color: Bool) -> String {
        let style = ANSIStyle(enabled: color)
        var lines: [String] = []
        for check in checks {
            let marker = TerminalRenderer.paint(check.status.marker, check.status, style)
            lines.append("\(marker) \(TerminalText.clean(check.title)): \(TerminalText.clean(check.summary))")
            if check.status != .pass {
                lines += check.details.map { "    " + TerminalText.clean($0) }
            }
        }
        let blocking = checks.filter(\.blocks).count
        lines.append(
            blocking == 0 ? "\(checks.count) passed" : "\(blocking) of \(checks.count) failed")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The terminal form of spec problems: `file:line:col: path: message`, and on a terminal the source
/// line with a caret under the column.
public enum DiagnosticRenderer {
    public static func render(_ error: SpecError, file: String, sourceLines: [String], color: Bool) -> String {
        let style = ANSIStyle(enabled: color)
        var lines: [String] = []
        for diagnostic in error.diagnostics {
            let location = TerminalText.clean(diagnostic.location.description)
            let text = TerminalText.clean(diagnostic.description)
            if color, text.hasPrefix(location + ": ") {
                lines.append(
                    style.paint(location + ":", ANSIStyle.bold) + " " + style.paint("error:", ANSIStyle.red) + " "
                        + text.dropFirst(location.count + 2))
            } else {
                lines.append(text)
            }
            let index = diagnostic.location.line - 1
            if index >= 0, index < sourceLines.count, diagnostic.location.file == file {
                let line = sourceLines[index]
                lines.append("    " + TerminalText.clean(line))
                // The cleaned line has one character for each of the source's (a tab became a space).
                let pad = String(
                    repeating: " ", count: min(max(0, diagnostic.location.column - 1), line.unicodeScalars.count))
                lines.append("    " + pad + style.paint("^", ANSIStyle.green))
            }
        }
        let count = error.diagnostics.count
        lines.append("\(file): \(Format.count(count, "problem")); nothing was run")
        return lines.joined(separator: "\n") + "\n"
    }
}
