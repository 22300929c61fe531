import GreenlightCore

/// Renders a report as one self-contained HTML page: inline CSS and SVG, no scripts, fonts or images.
public enum HTMLRenderer {
    /// The report as an HTML document.
    public static func render(_ report: Report) -> String {
        let h = HTMLEscaping.text
        let title = "\(report.verdict.decision.rawValue) · \(report.releaseName) · release readiness"
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
            <meta name="generator" content="\(h(report.generator.name)) \(h(report.generator.version))">
            <title>\(h(title))</title>
            <style>\(stylesheet)</style>
            </head>
            <body>
            <main class="page">
            \(banner(report))
            <section class="cards">
            \(releaseCard(report))
            \(riskCard(report.risk))
            \(statusCard(report))
            </section>
            \(report.loadTimeline.map(loadSection) ?? "")
            \(checksSection(report))
            \(footer(report))
            </main>
            </body>
            </html>

            """
    }

    static func banner(_ report: Report) -> String {
        let h = HTMLEscaping.text
        let go = report.isGo
        var facts = [report.release.environment.map { "environment \(h($0))" }, "owner \(h(report.release.owner))"]
            .compactMap { $0 }
        if let author = report.release.author { facts.append("author \(h(author))") }
        var body = """
            <header class="banner \(go ? "go" : "nogo")">
            <div class="verdict" aria-label="verdict">\(report.verdict.decision.rawValue)</div>
            <div class="banner-body">
            <h1>\(h(report.release.service)) <span class="version">\(h(report.release.version))</span></h1>
            <p class="where">\(facts.joined(separator: " · "))</p>

            """
        if go {
            let line = report.verdictLine.droppingPrefix("GO \(report.releaseName): ")
            body += "<p class=\"lead\">Ready to ship: \(h(line))</p>\n"
        } else {
            let reasons = report.noGoReasons
            let count = "\(Format.count(reasons.count, "blocking reason"))"
            body += "<p class=\"lead\">This release must not ship: \(count).</p>\n"
            let statuses = report.blockingChecks.map(\.status)
            body += "<ol class=\"reasons\">\n"
            for (i, reason) in reasons.enumerated() {
                let status = i < statuses.count ? statuses[i] : .fail
                body += "<li>\(pill(status)) \(h(reason))</li>\n"
            }
            body += "</ol>\n"
        }
        return body + "</div>\n</header>"
    }

    static func releaseCard(_ report: Report) -> String {
        let h = HTMLEscaping.text
        let r = report.release
        var rows: [(String, String)] = [
            ("Service", h(r.service)), ("Version", h(r.version)), ("Owner", h(r.owner)),
        ]
        if let author = r.author { rows.append(("Author", h(author))) }
        if let ticket = r.ticket { rows.append(("Ticket", link(ticket))) }
        if let environment = r.environment { rows.append(("Environment", h(environment))) }
        rows.append(("Spec", "<code>\(h(report.spec.file))</code>"))
        rows.append(("Spec sha256", "<code class=\"hash\">\(h(report.spec.sha256))</code>"))
        rows.append(("Policy", h(report.policy)))
        rows.append(("Generated", "<time>\(h(report.generatedAt))</time>"))
        let items = rows.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }.joined(separator: "\n")
        return "<article class=\"card\">\n<h2>Release</h2>\n<dl class=\"meta\">\n\(items)\n</dl>\n</article>"
    }

    static func riskCard(_ risk: RiskAssessment) -> String {
        let h = HTMLEscaping.text
        var out = """
            <article class="card risk">
            <h2>Risk</h2>
            <div class="risk-body">
            \(riskMatrix(risk))
            <div class="risk-text">
            <p class="equation">Likelihood <b>\(risk.likelihood)</b> × impact <b>\(risk.impact)</b> \
            = <b>\(risk.score)</b></p>
            <p>Class <span class="class-badge">\(h(risk.riskClass))</span></p>

            """
        if risk.impactDerived {
            out += "<p class=\"muted\">Impact derived from the facts below; the highest score counts.</p>\n"
        }
        if !risk.factors.isEmpty {
            out +=
                "<ul class=\"factors\">\n"
                + risk.factors.map {
                    "<li><code>\(h($0.name))</code> \(h($0.value)) <span class=\"score\">\($0.score)</span></li>"
                }.joined(separator: "\n") + "\n</ul>\n"
        } else if risk.impactDerived {
            out += "<p class=\"muted\">No impact facts were given, so impact is taken as the worst, 5.</p>\n"
        }
        let needs = risk.requirementPhrases
        out += "<p class=\"requires-title\">\(h(risk.riskClass)) requires</p>\n"
        out +=
            needs.isEmpty
            ? "<p class=\"muted\">nothing further</p>\n"
            : "<ul class=\"requires\">\n" + needs.map { "<li>\(h($0))</li>" }.joined(separator: "\n") + "\n</ul>\n"
        out += "</div>\n</div>\n"
        if let summary = risk.summary { out += "<blockquote>\(h(summary))</blockquote>\n" }
        return out + "</article>"
    }

    static func statusCard(_ report: Report) -> String {
        let counts = report.statusCounts
        let legend = counts.filter { $0.count > 0 }.map {
            "<li><span class=\"swatch s-\($0.status.rawValue)\"></span>\($0.status.label)<b>\($0.count)</b></li>"
        }.joined(separator: "\n")
        return """
            <article class="card">
            <h2>Checks</h2>
            <div class="status-body">
            \(statusDonut(counts))
            <ul class="legend">
            \(legend)
            </ul>
            </div>
            </article>
            """
    }

    static func checksSection(_ report: Report) -> String {
        guard !report.checks.isEmpty else {
            return "<section class=\"card\"><h2>All checks</h2><p class=\"muted\">No checks were run.</p></section>"
        }
        var out = """
            <section class="card">
            <h2>All checks</h2>
            <table class="checks">
            <thead><tr><th scope="col">Status</th><th scope="col">Check</th><th scope="col">Result</th>\
            <th scope="col" class="num">Time</th></tr></thead>

            """
        for (category, checks) in report.checksByCategory {
            out +=
                "<tbody>\n<tr class=\"group\"><th colspan=\"4\" scope=\"rowgroup\">\(category.displayName)"
                + " <span>\(Format.count(checks.count, "check"))</span></th></tr>\n"
            out += checks.map(checkRow).joined()
            out += "</tbody>\n"
        }
        return out + "</table>\n</section>"
    }

    static func checkRow(_ check: CheckResult) -> String {
        let h = HTMLEscaping.text
        var result = ""
        let more = checkDetails(check)
        if more.isEmpty {
            result = "<p class=\"summary\">\(h(check.summary))</p>"
        } else {
            result =
                "<details\(check.blocks ? " open" : "")><summary>\(h(check.summary))</summary>\n"
                + "<div class=\"more\">\n\(more)</div>\n</details>"
        }
        if let w = check.waiver {
            result +=
                "\n<p class=\"waiver\">Waived by <b>\(h(w.approver))</b> until <b>\(w.expires)</b>"
                + " (without the waiver: \(w.underlyingStatus.label)): \(h(w.reason))</p>"
        }
        if !check.required, check.status.blocks {
            result += "\n<p class=\"muted\">Not required: does not block the release.</p>"
        }
        return """
            <tr class="row-\(check.status.rawValue)\(check.blocks ? " blocking" : "")" id="\(h(anchor(check.id)))">
            <td>\(pill(check.status))</td>
            <td><div class="title">\(h(check.title))</div><code class="id">\(h(check.id))</code></td>
            <td>\(result)</td>
            <td class="num">\(check.durationSeconds > 0 ? h(check.durationText) : "–")</td>
            </tr>

            """
    }

    /// The expandable part of a check: details, measurements and evidence; empty when it has none.
    static func checkDetails(_ check: CheckResult) -> String {
        let h = HTMLEscaping.text
        var out = ""
        if !check.details.isEmpty {
            out +=
                "<ul class=\"details\">\n" + check.details.map { "<li>\(h($0))</li>" }.joined(separator: "\n")
                + "\n</ul>\n"
        }
        if !check.measurements.isEmpty {
            out +=
                "<table class=\"measurements\"><tbody>\n"
                + check.measurements.map {
                    "<tr><th scope=\"row\">\(h($0.name))</th><td class=\"num\">\(h(Format.number($0.value)))</td>"
                        + "<td>\(h($0.unit))</td></tr>"
                }.joined(separator: "\n") + "\n</tbody></table>\n"
        }
        if !check.evidence.isEmpty {
            out +=
                "<p class=\"evidence-title\">Evidence</p>\n<ul class=\"evidence\">\n"
                + check.evidence.map { ev in
                    "<li><span class=\"kind\">\(h(ev.kind))</span> \(link(ev.reference))"
                        + (ev.sha256.map { " <span class=\"sha\">sha256 <code class=\"hash\">\(h($0))</code></span>" }
                            ?? "")
                        + "</li>"
                }.joined(separator: "\n") + "\n</ul>\n"
        }
        return out
    }

    static func footer(_ report: Report) -> String {
        let h = HTMLEscaping.text
        let digest = report.digest ?? report.computeDigest()
        return """
            <footer>
            <p>Generated by <b>\(h(report.generator.name)) \(h(report.generator.version))</b> \
            at <time>\(h(report.generatedAt))</time>
            from <code>\(h(report.spec.file))</code>, policy \(h(report.policy)).</p>
            <p>Spec sha256 <code class="hash">\(h(report.spec.sha256))</code></p>
            <p>Report digest <code class="hash">\(h(digest))</code></p>
            </footer>
            """
    }

    static func pill(_ status: CheckStatus) -> String {
        "<span class=\"pill s-\(status.rawValue)\">\(status.label)</span>"
    }

    /// A link for an http(s) URL; other text is shown as code and never becomes a link.
    static func link(_ text: String) -> String {
        let h = HTMLEscaping.text
        guard text.isWebURL else { return "<code>\(h(text))</code>" }
        return "<a href=\"\(h(text))\" rel=\"noopener noreferrer\">\(h(text))</a>"
    }

    /// An element id made of the characters of `id` that need no escaping.
    static func anchor(_ id: String) -> String {
        "check-" + String(id.map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == ".") ? $0 : "_" })
    }
}

extension CheckStatus {
    /// The word a person reads for the status.
    var label: String {
        switch self {
        case .notRun: return "not run"
        default: return rawValue
        }
    }
}

extension String {
    /// Whether the text is an http or https URL without spaces, safe to offer as a link.
    var isWebURL: Bool {
        let lower = lowercased()
        return (lower.hasPrefix("https://") || lower.hasPrefix("http://"))
            && !contains { $0.isWhitespace || $0 == "\"" || $0 == "<" || $0 == ">" }
            && allSatisfy { $0.unicodeScalars.allSatisfy { HTMLEscaping.isAllowed($0) } }
    }
}
