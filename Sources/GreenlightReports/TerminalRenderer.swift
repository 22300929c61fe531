import GreenlightCore

/// Renders a report for a terminal: header, checks by category, risk, and the verdict in large letters.
public enum TerminalRenderer {
    /// The widest line the renderer writes, in columns.
    static let width = 100

    /// The report as terminal text; `color` adds ANSI colour, `quiet` keeps only the one verdict line.
    public static func render(_ report: Report, color: Bool, quiet: Bool = false) -> String {
        let style = ANSIStyle(enabled: color)
        if quiet { return paintVerdict(TerminalText.clean(report.verdictLine), report, style) + "\n" }
        var lines: [String] = []
        lines += header(report, style)
        lines.append("")
        lines += checks(report, style)
        lines.append("")
        lines += risk(report.risk, style)
        lines.append("")
        lines += verdict(report, style)
        return lines.joined(separator: "\n") + "\n"
    }

    static func header(_ report: Report, _ style: ANSIStyle) -> [String] {
        let r = report.release
        var rows: [(String, String)] = []
        if let environment = r.environment { rows.append(("environment", environment)) }
        rows.append(("spec", "\(report.spec.file) (sha256 \(abbreviated(report.spec.sha256)))"))
        rows.append(("owner", r.owner))
        if let author = r.author { rows.append(("author", author)) }
        if let ticket = r.ticket { rows.append(("ticket", ticket)) }
        rows.append(("policy", report.policy))
        rows.append(("generated", "\(report.generatedAt) by \(report.generator.name) \(report.generator.version)"))

        var lines = [style.paint("Release readiness: \(TerminalText.clean(report.releaseName))", ANSIStyle.bold)]
        let keyWidth = rows.map(\.0.count).max() ?? 0
        for (key, value) in rows {
            let prefix = "  " + TerminalText.pad(key, to: keyWidth) + "  "
            let wrapped = TerminalText.wrap(TerminalText.clean(value), width: width - prefix.count)
            lines.append(style.paint(prefix, ANSIStyle.dim) + wrapped[0])
            lines += wrapped.dropFirst().map { String(repeating: " ", count: prefix.count) + $0 }
        }
        return lines
    }

    static func checks(_ report: Report, _ style: ANSIStyle) -> [String] {
        guard !report.checks.isEmpty else { return ["  no checks were run"] }
        // "  ✔ not-run  " — marker, status word, then the title and summary columns.
        let statusWidth = CheckStatus.allCases.map(\.rawValue.count).max() ?? 7
        let lead = 2 + 2 + statusWidth + 2
        let titleWidth = min(report.checks.map { TerminalText.clean($0.title).count }.max() ?? 0, 32)
        let summaryStart = lead + titleWidth + 2
        let summaryWidth = width - summaryStart
        let hanging = String(repeating: " ", count: summaryStart)

        var lines: [String] = []
        for (category, checks) in report.checksByCategory {
            if !lines.isEmpty { lines.append("") }
            lines.append(style.paint(category.displayName.uppercased(), ANSIStyle.bold))
            for check in checks {
                let word = TerminalText.pad(check.status.rawValue, to: statusWidth)
                let title = TerminalText.pad(
                    TerminalText.truncate(TerminalText.clean(check.title), to: titleWidth),
                    to: titleWidth)
                var summary = TerminalText.clean(check.summary)
                if !check.required, check.status.blocks { summary += " (not required: does not block)" }
                let wrapped = TerminalText.wrap(summary, width: summaryWidth)
                let status = paint(check.status.marker + " " + word, check.status, style)
                lines.append("  " + status + "  " + title + "  " + wrapped[0])
                lines += wrapped.dropFirst().map { hanging + $0 }
                if let waiver = check.waiver {
                    let text =
                        "waiver: approved by \(waiver.approver), expires \(waiver.expires)"
                        + " (without it: \(waiver.underlyingStatus.rawValue)); \(waiver.reason)"
                    lines += TerminalText.wrap(TerminalText.clean(text), width: summaryWidth)
                        .map { hanging + style.paint($0, ANSIStyle.cyan) }
                }
                if check.blocks {
                    lines += detailLines(check, width: summaryWidth).map { hanging + style.paint($0, ANSIStyle.dim) }
                }
            }
        }
        lines.append("")
        let counts = report.statusCounts.filter { $0.count > 0 }
            .map { paint("\($0.count) \($0.status.rawValue)", $0.status, style) }
        lines.append(
            "\(Format.count(report.checks.count, "check")): "
                + counts.joined(separator: ", "))
        return lines
    }

    /// The first few details of a blocking check, so the reason is on screen without opening a file.
    static func detailLines(_ check: CheckResult, width: Int, limit: Int = 4) -> [String] {
        let shown = check.details.prefix(limit).flatMap {
            TerminalText.wrap("· " + TerminalText.clean($0), width: width).prefix(2)
        }
        let more = check.details.count - min(check.details.count, limit)
        return shown + (more > 0 ? ["· … \(more) more in the full report"] : [])
    }

    static func risk(_ risk: RiskAssessment, _ style: ANSIStyle) -> [String] {
        var lines = [style.paint("RISK", ANSIStyle.bold)]
        let indent = "  "
        let classText = TerminalText.clean(risk.riskClass)
        lines.append(indent + "\(risk.equation)  ->  class " + style.paint(classText, ANSIStyle.bold))
        var rows: [String] = []
        if risk.impactDerived {
            rows.append(
                "impact derived from: " + (risk.factors.isEmpty ? "no facts given, so the worst (5)" : risk.factorText))
        } else {
            rows.append("impact given in the spec" + (risk.factors.isEmpty ? "" : "; facts: " + risk.factorText))
        }
        let needs = risk.requirementPhrases
        rows.append("\(classText) requires: " + (needs.isEmpty ? "nothing further" : needs.joined(separator: ", ")))
        if let summary = risk.summary { rows.append("summary: " + summary) }
        for row in rows {
            let wrapped = TerminalText.wrap(TerminalText.clean(row), width: width - indent.count - 2)
            lines.append(indent + wrapped[0])
            lines += wrapped.dropFirst().map { indent + "  " + $0 }
        }
        return lines
    }

    static func verdict(_ report: Report, _ style: ANSIStyle) -> [String] {
        var lines = BigLetters.render(report.verdict.decision.rawValue).map { "  " + paintVerdict($0, report, style) }
        lines.append("")
        lines.append(paintVerdict(TerminalText.clean(report.verdictLine), report, style))
        let reasons = report.noGoReasons
        if !reasons.isEmpty {
            let blocking = report.blockingChecks
            for (i, reason) in reasons.enumerated() {
                let status = i < blocking.count ? blocking[i].status : .fail
                let marker = paint(status.marker, status, style)
                let wrapped = TerminalText.wrap(TerminalText.clean(reason), width: width - 4)
                lines.append("  " + marker + " " + wrapped[0])
                lines += wrapped.dropFirst().map { "    " + $0 }
            }
        }
        return lines
    }

    static func paint(_ text: String, _ status: CheckStatus, _ style: ANSIStyle) -> String {
        switch status {
        case .pass: return style.paint(text, ANSIStyle.green)
        case .fail: return style.paint(text, ANSIStyle.red)
        case .error: return style.paint(text, ANSIStyle.bold, ANSIStyle.red)
        case .warn: return style.paint(text, ANSIStyle.yellow)
        case .waived: return style.paint(text, ANSIStyle.cyan)
        case .notRun, .skipped: return style.paint(text, ANSIStyle.dim)
        }
    }

    static func paintVerdict(_ text: String, _ report: Report, _ style: ANSIStyle) -> String {
        style.paint(text, ANSIStyle.bold, report.isGo ? ANSIStyle.green : ANSIStyle.red)
    }

    /// The first and last characters of a long hash: `3f2a91…c41d`.
    static func abbreviated(_ hash: String) -> String {
        hash.count > 16 ? String(hash.prefix(12)) + "…" + String(hash.suffix(4)) : hash
    }
}

extension CheckStatus {
    /// The one-character marker a terminal shows for the status.
    var marker: String {
        switch self {
        case .pass: return "✔"
        case .fail: return "✖"
        case .warn: return "!"
        case .waived: return "~"
        case .notRun: return "○"
        case .skipped: return "-"
        case .error: return "‼"
        }
    }
}
