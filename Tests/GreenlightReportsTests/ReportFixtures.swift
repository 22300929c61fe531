import Foundation

@testable import GreenlightCore

/// Reports built by hand for the renderer tests.
enum ReportFixtures {
    /// Text meant to break out of HTML, XML, Markdown tables and terminals.
    static let hostile = "<script>alert('x')</script> & \"quoted\" | pipe \u{1B}[31mred\u{07}\u{0}\nnext line ]]>"

    static func risk(
        likelihood: Int = 3, impact: Int? = 4, blastRadius: RiskSpec.BlastRadius? = .service,
        summary: String? = "new payment provider"
    ) -> RiskAssessment {
        var spec = RiskSpec(reading: ObjectReader(nil, RiskSpec.schema))
        spec.likelihood = likelihood
        spec.impact = impact
        spec.blastRadius = blastRadius
        spec.summary = summary
        return RiskAssessment(spec: spec, policy: .standard)
    }

    static func waiver(_ text: String = "vendor fix due next week") -> CheckResult.WaiverRecord {
        CheckResult.WaiverRecord(
            reason: text, approver: "dana", expires: CalendarDate(year: 2031, month: 3, day: 14)!,
            underlyingStatus: .fail)
    }

    /// One check of every status, in checklist, risk and smoke, plus a failure that is not required.
    static func checks(text: String = "") -> [CheckResult] {
        [
            CheckResult(
                id: "checklist.environment-parity", title: "Environment parity", category: .checklist, status: .pass,
                summary: "3 checks passed" + text, durationSeconds: 0.25),
            CheckResult(
                id: "checklist.load-testing", title: "Load testing", category: .checklist, status: .notRun,
                summary: "not run: the spec has no load section, so nothing shows the item holds" + text,
                details: ["why it matters: sustained traffic at 3x peak" + text]),
            CheckResult(
                id: "checklist.rollback-plan", title: "Rollback plan" + text, category: .checklist, status: .fail,
                summary: "never rehearsed: rehearse the rollback" + text,
                details: ["fail: never rehearsed" + text, "pass: runbook docs/rollback.md exists"],
                evidence: [
                    .init(
                        kind: "file", reference: "docs/rollback.md" + text, sha256: String(repeating: "ab", count: 32))
                ]),
            CheckResult(
                id: "checklist.monitoring-hooks", title: "Monitoring hooks", category: .checklist, status: .waived,
                summary: "waived by dana until 2031-03-14: vendor fix due next week",
                waiver: waiver("vendor fix" + text)),
            CheckResult(
                id: "risk.canary", title: "Canary rollout", category: .risk, status: .pass,
                summary: "a canary rollout (class high (score 12) requires a canary rollout)",
                evidence: [.init(kind: "spec", reference: "release.yaml: rollout/rollback/signoff")]),
            CheckResult(
                id: "risk.signoff-roles", title: "Sign-off roles", category: .risk, status: .warn,
                summary: "signoff by engineering (product is away)" + text),
            CheckResult(
                id: "smoke.login", title: "Login works", category: .smoke, status: .error,
                summary: "connection refused: 127.0.0.1:8080" + text, details: ["GET /login"],
                measurements: [.init(name: "latency", value: 0.125, unit: "s")], durationSeconds: 1.5),
            CheckResult(
                id: "smoke.search", title: "Search works", category: .smoke, status: .skipped,
                summary: "skipped: login failed" + text),
            CheckResult(
                id: "smoke.banner", title: "Promo banner shows", category: .smoke, status: .fail,
                summary: "banner missing" + text, required: false),
        ]
    }

    /// A report over `checks`, its verdict decided the way the gate decides it.
    static func report(checks: [CheckResult] = checks(), text: String = "", risk: RiskAssessment = risk()) -> Report {
        let blocking = checks.filter(\.blocks)
        var counts: [String: Int] = [:]
        for status in CheckStatus.allCases { counts[status.rawValue] = checks.filter { $0.status == status }.count }
        var report = Report(
            generator: .init(name: "greenlight", version: "0.1.0"),
            generatedAt: "2031-03-01T12:00:00Z",
            release: .init(
                service: "checkout", version: "2.14.0", owner: "payments-team" + text, author: "alice",
                ticket: "https://tracker.example/REL-42", environment: "production"),
            spec: .init(file: "release.yaml", sha256: String(repeating: "c3", count: 32)),
            policy: "built-in",
            verdict: .init(
                decision: blocking.isEmpty ? .go : .noGo,
                reasons: blocking.map { "\($0.title): \($0.summary)" }, counts: counts),
            risk: risk, checks: checks, digest: nil)
        report.digest = report.computeDigest()
        return report
    }

    /// A load timeline of `seconds` seconds: p50 near 2 ms, p99 near 9 ms, about 150 req/s against a target of 150,
    /// an error every 7th second, and at `spike` (if given) a p99 of 5 s.
    static func timeline(
        seconds: Int = 5, spike: Int? = nil, title: String = "http://127.0.0.1:8080/ · open model · 150 req/s"
    ) -> LoadTimeline {
        let range = 0..<seconds
        return LoadTimeline(
            title: title, seconds: Array(range), rps: range.map { 140 + Double($0 % 5) * 3 },
            p50Ms: range.map { 2 + Double($0 % 3) * 0.25 },
            p99Ms: range.map { $0 == spike ? 5000 : 9 + Double($0 % 4) },
            errors: range.map { $0 % 7 == 3 ? 2 : 0 }, targetRps: range.map { _ in 150 })
    }

    /// ``report(checks:text:risk:)`` with a load timeline.
    static func loadReport(_ timeline: LoadTimeline = timeline()) -> Report {
        var report = report()
        report.loadTimeline = timeline
        report.digest = report.computeDigest()
        return report
    }

    /// A report whose every text carries ``hostile``.
    static var hostileReport: Report { report(checks: checks(text: hostile), text: hostile) }

    /// A report with nothing blocking.
    static var goReport: Report { report(checks: checks().filter { !$0.blocks }) }
}
