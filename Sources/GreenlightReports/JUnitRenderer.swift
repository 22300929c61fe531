import Foundation
import GreenlightCore

/// Renders a report as JUnit XML, so CI systems show each check as a test case.
///
/// A check that blocks the release (a required fail, error or not-run) is a failure or an error; a check that
/// is not required never fails the suite, whatever its status, so the XML agrees with the verdict.
public enum JUnitRenderer {
    /// The report as a JUnit `<testsuites>` document, one `<testsuite>` per category.
    public static func render(_ report: Report) -> String {
        let suites = report.checksByCategory.map { Suite(category: $0.category, cases: $0.checks.map(TestCase.init)) }
        let a = XMLEscaping.attribute
        var out = [#"<?xml version="1.0" encoding="UTF-8"?>"#]
        func total(_ count: (Suite) -> Int) -> Int { suites.map(count).reduce(0, +) }
        out.append(
            "<testsuites name=\"\(a("greenlight " + report.releaseName))\" tests=\"\(total(\.tests))\" "
                + "failures=\"\(total(\.failures))\" errors=\"\(total(\.errors))\" skipped=\"\(total(\.skipped))\" "
                + "time=\"\(seconds(suites.map(\.time).reduce(0, +)))\">"
        )
        for suite in suites {
            out.append(
                "  <testsuite name=\"\(a(suite.category.rawValue))\" tests=\"\(suite.tests)\" "
                    + "failures=\"\(suite.failures)\" errors=\"\(suite.errors)\" skipped=\"\(suite.skipped)\" "
                    + "time=\"\(seconds(suite.time))\" timestamp=\"\(a(report.generatedAt))\">")
            out += properties(report).map { "    " + $0 }
            for testCase in suite.cases { out += testCase.xml(classname: "greenlight.\(suite.category.rawValue)") }
            out.append("  </testsuite>")
        }
        out.append("</testsuites>")
        return out.joined(separator: "\n") + "\n"
    }

    static func properties(_ report: Report) -> [String] {
        var pairs = [
            ("service", report.release.service), ("version", report.release.version),
            ("verdict", report.verdict.decision.rawValue), ("risk_class", report.risk.riskClass),
            ("risk_score", String(report.risk.score)), ("spec_sha256", report.spec.sha256),
        ]
        if let environment = report.release.environment { pairs.append(("environment", environment)) }
        if let digest = report.digest { pairs.append(("digest", digest)) }
        let a = XMLEscaping.attribute
        let rows = pairs.map { "  <property name=\"\(a($0.0))\" value=\"\(a($0.1))\"/>" }
        return ["<properties>"] + rows + ["</properties>"]
    }

    /// Seconds with millisecond precision; 0 for a duration that is negative or not a number.
    static func seconds(_ value: Double) -> String {
        String(format: "%.3f", value.isFinite && value > 0 ? value : 0)
    }

    struct Suite {
        var category: CheckResult.Category
        var cases: [TestCase]

        var tests: Int { cases.count }
        var failures: Int { cases.filter { $0.outcome == .failure }.count }
        var errors: Int { cases.filter { $0.outcome == .error }.count }
        var skipped: Int { cases.filter { $0.outcome == .skipped }.count }
        var time: Double {
            cases.map { $0.check.durationSeconds.isFinite ? max($0.check.durationSeconds, 0) : 0 }.reduce(0, +)
        }
    }

    struct TestCase {
        enum Outcome { case passed, failure, error, skipped }

        var check: CheckResult

        init(_ check: CheckResult) { self.check = check }

        var outcome: Outcome {
            switch check.status {
            case .pass, .warn: return .passed
            case .waived, .skipped: return .skipped
            case .fail, .notRun: return check.required ? .failure : .passed
            case .error: return check.required ? .error : .passed
            }
        }

        func xml(classname: String) -> [String] {
            let a = XMLEscaping.attribute
            let open =
                "    <testcase classname=\"\(a(classname))\" name=\"\(a(check.id + ": " + check.title))\" "
                + "time=\"\(JUnitRenderer.seconds(check.durationSeconds))\""
            let body = self.body
            guard !body.isEmpty else { return [open + "/>"] }
            return [open + ">"] + body.map { "      " + $0 } + ["    </testcase>"]
        }

        var body: [String] {
            let a = XMLEscaping.attribute
            let t = XMLEscaping.text
            switch (check.status, outcome) {
            case (.fail, .failure):
                return ["<failure message=\"\(a(check.summary))\" type=\"fail\">\(t(failureText))</failure>"]
            case (.notRun, .failure):
                let why = check.summary.droppingPrefix("not run:").droppingPrefix("not run").trimmingCharacters(
                    in: .whitespaces)
                return [
                    "<failure message=\"\(a("not run: " + why))\" type=\"not-run\">"
                        + t("A required check that did not run blocks the release (NO-GO).\n" + detailText)
                        + "</failure>"
                ]
            case (.error, .error):
                return ["<error message=\"\(a(check.summary))\" type=\"error\">\(t(failureText))</error>"]
            case (.waived, _):
                let w = check.waiver
                let message = w.map { "waived by \($0.approver) until \($0.expires): \($0.reason)" } ?? check.summary
                return ["<skipped message=\"\(a(message))\"/>"]
                    + systemOut(
                        w.map { "without the waiver: \($0.underlyingStatus.rawValue)\n" } ?? "")
            case (.skipped, _):
                return ["<skipped message=\"\(a(check.summary))\"/>"]
            case (.warn, _):
                return systemOut("warning: ")
            case (_, .passed) where check.status.blocks:
                return systemOut("\(check.status.rawValue) (not required, does not block the release): ")
            default:
                return []
            }
        }

        /// A `<system-out>` with `prefix`, the summary and the details.
        func systemOut(_ prefix: String) -> [String] {
            let text = prefix + check.summary + (check.details.isEmpty ? "" : "\n" + detailText)
            return ["<system-out>\(XMLEscaping.text(text))</system-out>"]
        }

        /// The text of a failure or error: the details, or the summary when there are none.
        var failureText: String { detailText.isEmpty ? check.summary : detailText }

        /// The details, measurements and evidence, one per line.
        var detailText: String {
            var lines = check.details
            lines += check.measurements.map { "\($0.name): \(Format.number($0.value)) \($0.unit)" }
            lines += check.evidence.map {
                "evidence: \($0.kind) \($0.reference)" + ($0.sha256.map { " sha256:\($0)" } ?? "")
            }
            return lines.joined(separator: "\n")
        }
    }
}
