import GreenlightCore

/// Renders a report as GitHub-flavoured Markdown, suited to `$GITHUB_STEP_SUMMARY` or a pull-request comment.
public enum MarkdownRenderer {
    /// The report as Markdown: verdict, release, risk, checks, details of failing checks, digest.
    public static func render(_ report: Report) -> String {
        var out: [String] = []
        out += title(report)
        out += release(report)
        out += risk(report.risk)
        out += checks(report)
        out += load(report.loadTimeline)
        out += failing(report)
        out += footer(report)
        return out.joined(separator: "\n") + "\n"
    }

    static func title(_ report: Report) -> [String] {
        let e = MarkdownEscaping.text
        let emoji = report.isGo ? "✅" : "⛔"
        var out = ["# \(emoji) \(report.verdict.decision.rawValue): \(e(report.releaseName))", ""]
        if report.isGo {
            out.append("**GO**: \(e(report.verdictLine.droppingPrefix("GO ")))")
        } else {
            out.append("**NO-GO**: the release must not ship. Blocking:")
            out.append("")
            out += report.noGoReasons.map { "- \(e($0))" }
        }
        out.append("")
        return out
    }

    static func release(_ report: Report) -> [String] {
        let r = report.release
        let c = MarkdownEscaping.cell
        var rows: [(String, String)] = [("Service", c(r.service)), ("Version", c(r.version)), ("Owner", c(r.owner))]
        if let author = r.author { rows.append(("Author", c(author))) }
        if let ticket = r.ticket { rows.append(("Ticket", c(ticket))) }
        if let environment = r.environment { rows.append(("Environment", c(environment))) }
        rows.append(
            ("Spec", "\(MarkdownEscaping.code(report.spec.file)) (sha256 \(MarkdownEscaping.code(report.spec.sha256)))")
        )
        rows.append(("Policy", c(report.policy)))
        rows.append(
            ("Generated", "\(c(report.generatedAt)) by \(c(report.generator.name)) \(c(report.generator.version))"))
        return ["## Release", "", "| | |", "|---|---|"] + rows.map { "| \($0.0) | \($0.1) |" } + [""]
    }

    static func risk(_ risk: RiskAssessment) -> [String] {
        let e = MarkdownEscaping.text
        var out = ["## Risk", ""]
        out.append("**\(risk.equation)**, class **\(e(risk.riskClass))**")
        out.append("")
        if let summary = risk.summary { out += ["> \(e(summary))", ""] }
        if !risk.factors.isEmpty {
            out.append(
                risk.impactDerived ? "Impact derived from these facts (the highest score counts):" : "Facts given:")
            out += ["", "| Fact | Value | Score |", "|---|---|---:|"]
            let c = MarkdownEscaping.cell
            out += risk.factors.map { "| \(c($0.name)) | \(c($0.value)) | \($0.score) |" }
            out.append("")
        } else if risk.impactDerived {
            out += ["No impact facts were given, so impact is taken as the worst, 5.", ""]
        }
        let needs = risk.requirementPhrases
        out.append(
            "Class **\(e(risk.riskClass))** requires: "
                + (needs.isEmpty ? "nothing further." : needs.map(e).joined(separator: "; ") + "."))
        out.append("")
        return out
    }

    static func checks(_ report: Report) -> [String] {
        var out = ["## Checks", ""]
        let counts = report.statusCounts.filter { $0.count > 0 }.map {
            "\($0.status.emoji) \($0.count) \($0.status.rawValue)"
        }
        out.append(
            "\(Format.count(report.checks.count, "check")): " + counts.joined(separator: " · "))
        out.append("")
        guard !report.checks.isEmpty else { return out }
        let c = MarkdownEscaping.cell
        out += ["| Status | Check | Summary |", "|---|---|---|"]
        for (category, checks) in report.checksByCategory {
            for check in checks {
                var summary = c(check.summary)
                if let w = check.waiver {
                    summary +=
                        "<br>*waiver: approved by \(c(w.approver)), expires \(w.expires), "
                        + "without it: \(w.underlyingStatus.rawValue)*"
                }
                if !check.required, check.status.blocks { summary += "<br>*not required: does not block*" }
                out.append(
                    "| \(check.status.emoji) \(check.status.rawValue) | **\(c(check.title))**<br>"
                        + "\(MarkdownEscaping.code(check.id)) · \(category.rawValue) | \(summary) |")
            }
        }
        out.append("")
        return out
    }

    /// One line on the load test's timeline; the charts are in the HTML report.
    static func load(_ timeline: LoadTimeline?) -> [String] {
        guard let timeline else { return [] }
        let e = MarkdownEscaping.text
        let numbers = timeline.summary.map { $0.line + "." } ?? "no seconds recorded."
        return ["## Load test", "", "\(e(timeline.title)): \(e(numbers))", ""]
    }

    /// A collapsed block per failing, erroring or not-run check, with its details, measurements and evidence.
    static func failing(_ report: Report) -> [String] {
        let failing = report.checks.filter { $0.status.blocks }
        guard !failing.isEmpty else { return [] }
        let e = MarkdownEscaping.text
        var out = ["## Details of failing checks", ""]
        for check in failing {
            out.append("<details>")
            out.append(
                "<summary>\(check.status.emoji) <b>\(HTMLEscaping.text(check.title))</b> "
                    + "(<code>\(HTMLEscaping.text(check.id))</code>): \(check.status.rawValue)</summary>")
            out.append("")
            out.append(e(check.summary))
            out.append("")
            if !check.details.isEmpty {
                out.append("<pre>")
                out += check.details.map { HTMLEscaping.text($0) }
                out.append("</pre>")
                out.append("")
            }
            if !check.measurements.isEmpty {
                out += check.measurements.map { "- \(e($0.name)): \(Format.number($0.value)) \(e($0.unit))" }
                out.append("")
            }
            if !check.evidence.isEmpty {
                out.append("Evidence:")
                out.append("")
                out += check.evidence.map { ev in
                    "- \(e(ev.kind)): \(MarkdownEscaping.code(ev.reference))"
                        + (ev.sha256.map { " (sha256 \(MarkdownEscaping.code($0)))" } ?? "")
                }
                out.append("")
            }
            out.append("</details>")
            out.append("")
        }
        return out
    }

    static func footer(_ report: Report) -> [String] {
        let digest = report.digest ?? report.computeDigest()
        return [
            "---", "",
            "Report digest: \(MarkdownEscaping.code(digest)) · "
                + "\(MarkdownEscaping.text(report.generator.name)) \(MarkdownEscaping.text(report.generator.version))",
        ]
    }
}

extension CheckStatus {
    /// The emoji Markdown shows for the status.
    var emoji: String {
        switch self {
        case .pass: return "✅"
        case .fail: return "❌"
        case .warn: return "⚠️"
        case .waived: return "🔕"
        case .notRun: return "⭕"
        case .skipped: return "⏭️"
        case .error: return "‼️"
        }
    }
}
