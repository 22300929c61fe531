import Foundation

extension SampleJudgement {
    /// A few lines for a person: the samples, the test, the shift and what it means for the direction.
    ///
    /// Written here, like the load engine's summary, because GreenlightReports does not depend on the
    /// canary; the CLI prints them through `TerminalText.clean`.
    public var summaryLines: [String] {
        var lines = [
            "control:    n = \(controlCount), median \(Self.number(controlMedian))",
            "experiment: n = \(experimentCount), median \(Self.number(experimentMedian))",
        ]
        guard let u, let pValue, let hodgesLehmann else {
            lines.append("Nodata: a sample has no values, so there is nothing to compare (not a failure)")
            return lines
        }
        lines.append("Mann-Whitney U = \(Self.number(u)), two-sided p = \(Self.number(pValue))")
        let percent = Self.number(options.confidence * 100)
        let interval =
            ciLow.map { "[\(Self.number($0)), \(Self.number(ciHigh))]" }
            ?? "unbounded (too few values for \(percent) %)"
        lines.append("shift (Hodges-Lehmann) \(Self.signed(hodgesLehmann)), \(percent) % interval \(interval)")
        let tolerance = Self.number(options.tolerance * 100)
        if let effect {
            lines.append(
                "effect \(String(format: "%+.2f", effect * 100)) % of the control's median (tolerance \(tolerance) %)")
        } else {
            lines.append("effect: none relative (the control's median is 0, so no tolerance applies)")
        }
        let what: String
        switch observed {
        case .high: what = "High: the experiment is higher"
        case .low: what = "Low: the experiment is lower"
        case .pass where ciLow.map { $0 > 0 } == true || ciHigh.map { $0 < 0 } == true:
            what = "Pass: a real shift, but within the tolerance"
        default: what = "Pass: no shift the data can tell from none"
        }
        lines.append(what)
        let bad: String
        switch options.direction {
        case .increase: bad = "only a higher experiment is bad"
        case .decrease: bad = "only a lower experiment is bad"
        case .either: bad = "a shift either way is bad"
        }
        lines.append("direction \(options.direction.rawValue) (\(bad)): \(fails ? "FAIL" : "pass")")
        return lines
    }

    private static func number(_ value: Double?) -> String {
        guard let value else { return "none" }
        if value != 0, abs(value) < 1e-3 || abs(value) >= 1e9 { return String(format: "%.3g", value) }
        let text = String(format: "%.4f", value)
        var trimmed = text
        while trimmed.hasSuffix("0") { trimmed.removeLast() }
        if trimmed.hasSuffix(".") { trimmed.removeLast() }
        return trimmed == "-0" ? "0" : trimmed
    }

    private static func signed(_ value: Double) -> String {
        value > 0 ? "+" + number(value) : number(value)
    }
}
