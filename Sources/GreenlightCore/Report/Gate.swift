import Foundation

/// Builds the readiness report from a spec, the policy, the runners' results and the evidence,
/// and decides GO or NO-GO.
public struct Gate: Sendable {
    public var spec: ReleaseSpec
    public var policy: RiskPolicy
    public var environment: String?
    public var now: Date

    public init(spec: ReleaseSpec, policy: RiskPolicy, environment: String? = nil, now: Date = Date()) {
        self.spec = spec
        self.policy = policy
        self.environment = environment
        self.now = now
    }

    /// The risk assessment, its summary masked like every other text from the spec.
    public var risk: RiskAssessment {
        var risk = RiskAssessment(spec: spec.risk, policy: policy)
        risk.summary = risk.summary.map(spec.redactor.redact)
        return risk
    }

    public func evaluate(
        runners: [RunnerResult] = [], customEvidence: [String: CheckResult] = [:], loadTimeline: LoadTimeline? = nil
    ) -> Report {
        let risk = self.risk
        let checklist = ChecklistEvaluator(spec: spec, policy: policy, today: CalendarDate(now))
            .evaluate(runners: runners, customEvidence: customEvidence)
        let standalone = runners.filter { $0.feeds == nil }.flatMap(\.checks) + unrunSections(runners)
        let checks = (checklist + RolloutPolicyCheck.evaluate(spec, risk) + standalone).map(redacted)

        let blocking = checks.filter(\.blocks)
        var counts: [String: Int] = [:]
        for status in CheckStatus.allCases { counts[status.rawValue] = checks.filter { $0.status == status }.count }
        let verdict = Report.Verdict(
            decision: blocking.isEmpty ? .go : .noGo,
            reasons: blocking.map {
                "\($0.title): \($0.status == .notRun ? "" : "\($0.status.rawValue): ")\($0.summary)"
            },
            counts: counts)

        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let r = spec.redactor
        var report = Report(
            generator: .init(name: "greenlight", version: GreenlightVersion.current),
            generatedAt: formatter.string(from: now),
            release: .init(
                service: r.redact(spec.service.name), version: r.redact(spec.service.version),
                owner: r.redact(spec.service.owner), author: spec.service.author.map(r.redact),
                ticket: spec.service.ticket.map(r.redact), environment: environment),
            spec: .init(file: spec.file, sha256: spec.sha256),
            policy: policy.origin,
            verdict: verdict, risk: risk, checks: checks, loadTimeline: loadTimeline, digest: nil)
        report.digest = report.computeDigest()
        return report
    }

    /// Sections the spec declares whose checks no runner delivered: each is a not-run check, so
    /// declared smoke tests or dependencies can never be skipped silently on the way to GO.
    func unrunSections(_ runners: [RunnerResult]) -> [CheckResult] {
        let delivered = Set(runners.flatMap(\.checks).map(\.category))
        var out: [CheckResult] = []
        if let smoke = spec.smoke, !delivered.contains(.smoke) {
            let count = smoke.scenarios.count
            out.append(
                CheckResult(
                    id: "smoke", title: "Smoke tests", category: .smoke, status: .notRun,
                    summary: "not run: nothing ran the \(count) declared scenario\(count == 1 ? "" : "s")"
                        + (spec.environments.isEmpty ? " (the spec declares no environment to run them against)" : "")))
        }
        if !spec.dependencies.isEmpty, !delivered.contains(.dependencies) {
            let count = spec.dependencies.count
            out.append(
                CheckResult(
                    id: "dependencies", title: "Dependencies", category: .dependencies, status: .notRun,
                    summary: "not run: nothing checked the \(count) declared dependenc\(count == 1 ? "y" : "ies")"))
        }
        return out
    }

    /// Masks environment values in every text of a check.
    public func redacted(_ check: CheckResult) -> CheckResult {
        let r = spec.redactor
        guard !r.isEmpty else { return check }
        var c = check
        c.title = r.redact(c.title)
        c.summary = r.redact(c.summary)
        c.details = c.details.map(r.redact)
        c.evidence = c.evidence.map { .init(kind: $0.kind, reference: r.redact($0.reference), sha256: $0.sha256) }
        if var w = c.waiver {
            w.reason = r.redact(w.reason)
            w.approver = r.redact(w.approver)
            c.waiver = w
        }
        return c
    }
}
