/// Likelihood times impact, the class that score falls in, and what that class requires.
public struct RiskAssessment: Codable, Sendable, Hashable {
    public var likelihood: Int
    public var impact: Int
    /// True when impact was derived from the facts rather than given.
    public var impactDerived: Bool
    /// The facts behind a derived impact, each with its 1-5 score.
    public var factors: [Factor]
    public var score: Int
    public var riskClass: String
    public var requires: RiskClassPolicy
    public var summary: String?

    public struct Factor: Codable, Sendable, Hashable {
        public var name: String
        public var value: String
        public var score: Int
    }

    public init(spec risk: RiskSpec, policy: RiskPolicy) {
        likelihood = risk.likelihood
        summary = risk.summary
        var factors: [Factor] = []
        if let blast = risk.blastRadius {
            factors.append(Factor(name: "blast_radius", value: blast.rawValue, score: blast.level))
        }
        if let users = risk.usersAffectedPercent {
            factors.append(
                Factor(
                    name: "users_affected_percent", value: Format.number(users) + "%",
                    score: ImpactScale.score(users, policy.impactScale.usersAffectedPercent)))
        }
        if let minutes = risk.recoveryMinutes {
            factors.append(
                Factor(
                    name: "recovery_minutes", value: Format.number(minutes) + " min",
                    score: ImpactScale.score(minutes, policy.impactScale.recoveryMinutes)))
        }
        if let revenue = risk.revenuePerMinute {
            factors.append(
                Factor(
                    name: "revenue_per_minute", value: Format.number(revenue) + "/min",
                    score: ImpactScale.score(revenue, policy.impactScale.revenuePerMinute)))
        }
        self.factors = factors
        if let given = risk.impact {
            impact = given
            impactDerived = false
        } else {
            impact = factors.map(\.score).max() ?? 5
            impactDerived = true
        }
        score = likelihood * impact
        let cls = policy.riskClass(forScore: score)
        riskClass = cls.name
        requires = cls
    }
}
