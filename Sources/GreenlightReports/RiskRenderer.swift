import GreenlightCore

/// The terminal form of `greenlight risk`: the assessment, what the class requires, and what was declared.
public enum RiskRenderer {
    public static func render(_ risk: RiskAssessment, checks: [CheckResult], color: Bool) -> String {
        let style = ANSIStyle(enabled: color)
        func paint(_ text: String, _ code: String) -> String { style.paint(text, code) }
        var lines: [String] = []
        let impactNote = risk.impactDerived ? " (derived: highest of its factors)" : " (given)"
        lines.append(
            "Risk: likelihood \(risk.likelihood) x impact \(risk.impact)\(impactNote) = \(risk.score): class \(paint(risk.riskClass, ANSIStyle.bold))"
        )
        if let summary = risk.summary { lines.append("  \(TerminalText.clean(summary))") }
        for factor in risk.factors {
            lines.append("  \(factor.name): \(factor.value) scores \(factor.score)")
        }
        let need = risk.requires
        lines.append("")
        lines.append("Class \(risk.riskClass) requires:")
        lines.append("  canary rollout      \(need.canaryRequired ? "required" : "optional")")
        lines.append("  first step          at most \(Format.number(need.firstStepMaxPercent))%")
        lines.append("  steps               at least \(need.minSteps)")
        lines.append("  bake per step       at least \(need.minBake)")
        lines.append("  kill switch         \(need.featureFlag ? "a feature flag, required" : "optional")")
        lines.append("  automated rollback  \(need.automatedRollback ? "required" : "optional")")
        lines.append("  manual approval     \(need.manualApproval ? "between every step" : "not required")")
        lines.append("  sign-off            \(need.signoff.joined(separator: ", "))")
        lines.append("")
        lines.append("Declared:")
        for check in checks {
            let mark = TerminalRenderer.paint(check.status.marker, check.status, style)
            lines.append("  \(mark) \(TerminalText.clean(check.title)): \(TerminalText.clean(check.summary))")
        }
        let short = checks.filter(\.blocks).count
        lines.append("")
        lines.append(
            short == 0
                ? paint("The rollout meets what class \(risk.riskClass) requires.", ANSIStyle.green)
                : paint("\(Format.count(short, "shortfall")) against class \(risk.riskClass).", ANSIStyle.red))
        return lines.joined(separator: "\n")
    }
}
