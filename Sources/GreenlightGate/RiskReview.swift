import GreenlightCore

/// `greenlight risk`: the assessment and every declared control checked against what its class
/// requires, masked at the boundary.
public struct RiskReview: Codable, Sendable {
    public var risk: RiskAssessment
    public var checks: [CheckResult]

    public init(spec: ReleaseSpec, policy: RiskPolicy) throws(GateError) {
        let risk = Gate(spec: spec, policy: policy).risk
        let raw = RiskReview(risk: risk, checks: RolloutPolicyCheck.evaluate(spec, risk))
        self = try RedactionBoundary(spec: spec).value(raw)
    }

    init(risk: RiskAssessment, checks: [CheckResult]) {
        self.risk = risk
        self.checks = checks
    }

    /// Whether the rollout falls short of what the class requires.
    public var fallsShort: Bool { checks.contains(where: \.blocks) }
}
