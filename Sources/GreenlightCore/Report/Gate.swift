import Foundation

/// Builds the readiness report from a spec, the policy, the runners' results and the evidence,
/// and decides GO or NO-GO. It does not mask: the redaction boundary of GreenlightGate does, once,
/// before anything leaves the process.
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

    public var risk: RiskAssessment { RiskAssessment(spec: spec.risk, policy: policy) }

    public func evaluate(
        runners: [RunnerResult] = [], customEvidence: [String: CheckResult] = [:], loadTimeline: LoadTimeline? = nil
    ) -> Report {
        let risk = self.risk
        let checklist = ChecklistEvaluator(spec: spec, policy: policy, today: CalendarDate(now))
            .evaluate(runners: runners, customEvidence: customEvidence)
        let standalone = runners.filter { $0.feeds == nil }.flatMap(\.checks) + unrunSections(runners)
        let checks = (checklist + RolloutPolicyCheck.evaluate(spec, risk) + standalone)

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
        var report = Report(
            generator: .init(name: "greenlight", version: GreenlightVersion.current),
            generatedAt: formatter.string(from: now),
            release: .init(
                service: spec.service.name, version: spec.service.version, owner: spec.service.owner,
                author: spec.service.author, ticket: spec.service.ticket, environment: environment),
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
                    summary: "not run: nothing ran the \(Format.count(count, "declared scenario"))"
                        + (spec.environments.isEmpty ? " (the spec declares no environment to run them against)" : "")))
        }
        if !spec.dependencies.isEmpty, !delivered.contains(.dependencies) {
            let count = spec.dependencies.count
            out.append(
                CheckResult(
                    id: "dependencies", title: "Dependencies", category: .dependencies, status: .notRun,
                    summary:
                        "not run: nothing checked the \(Format.count(count, "declared dependency", "declared dependencies"))"
                ))
        }
        return out
    }
}
