import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCore

@Suite("Risk assessment and rollout policy")
struct RiskTests {
    /// The lesson's example: a new recommendation model (complex ML) has a medium likelihood of
    /// issues and a high impact because it touches every product page. It must roll out as a
    /// canary that starts at 1 % or less, with a feature flag as an immediate kill switch.
    static let recommendationModel = """
        version: 1
        service: { name: recommendations, version: 3.0.0, owner: discovery-team }
        risk:
          summary: new recommendation model on every product page
          likelihood: 3
          blast_radius: product
          users_affected_percent: 100
        rollout:
          steps: [5, 25, 50, 100]
          bake: 10m
        rollback: { runbook: rb.md, command: undo, rehearsed: 2026-11-01, automated: true }
        signoff: { required: [engineering, product, sre] }

        """

    @Test("the lesson's recommendation model requires a canary of at most 1 % and a kill switch")
    func lessonExample() throws {
        let spec = try SpecFixtures.load(Self.recommendationModel)
        let risk = RiskAssessment(spec: spec.risk, policy: .standard)
        #expect(risk.likelihood == 3)
        #expect(risk.impactDerived)
        #expect(risk.impact >= 4)  // high impact: every product page
        #expect(risk.requires.firstStepMaxPercent <= 1)
        #expect(risk.requires.featureFlag)

        let checks = RolloutPolicyCheck.evaluate(spec, risk)
        let byID = Dictionary(uniqueKeysWithValues: checks.map { ($0.id, $0) })
        #expect(byID["risk.first-step"]?.status == .fail)
        #expect(byID["risk.first-step"]?.summary.contains("at most 1%") == true)
        #expect(byID["risk.first-step"]?.summary.contains("first step 5%") == true)
        #expect(byID["risk.kill-switch"]?.status == .fail)
        #expect(byID["risk.kill-switch"]?.summary.contains("no feature_flag") == true)

        // Declaring what the class requires clears both shortfalls.
        let fixed = Self.recommendationModel
            .replacingOccurrences(of: "steps: [5, 25, 50, 100]", with: "steps: [1, 5, 25, 50, 100]")
            .replacingOccurrences(of: "bake: 10m", with: "bake: 10m\n  feature_flag: recs-v2")
        let good = try SpecFixtures.load(fixed)
        let after = RolloutPolicyCheck.evaluate(good, RiskAssessment(spec: good.risk, policy: .standard))
        #expect(after.allSatisfy { $0.status == .pass }, "\(after.filter { $0.status != .pass }.map(\.summary))")
    }

    @Test("each shortfall is its own failed check saying what is required and what was declared")
    func shortfalls() throws {
        let text = Self.recommendationModel
            .replacingOccurrences(of: "likelihood: 3", with: "likelihood: 5")  // 5 x 5 = 25: critical
            .replacingOccurrences(of: "bake: 10m", with: "bake: 1m")
            .replacingOccurrences(of: "automated: true", with: "automated: false")
            .replacingOccurrences(of: "required: [engineering, product, sre]", with: "required: [engineering]")
        let spec = try SpecFixtures.load(text)
        let risk = RiskAssessment(spec: spec.risk, policy: .standard)
        #expect(risk.score == 25)
        #expect(risk.riskClass == "critical")
        let failed = RolloutPolicyCheck.evaluate(spec, risk).filter { $0.status == .fail }
        #expect(
            Set(failed.map(\.id)) == [
                "risk.first-step", "risk.steps", "risk.bake", "risk.kill-switch", "risk.automated-rollback",
                "risk.manual-approval",
                "risk.signoff-roles",
            ])
        let bake = try #require(failed.first { $0.id == "risk.bake" })
        #expect(bake.summary == "class critical (score 25) requires a bake of at least 30m per step; declared: bake 1m")
        let roles = try #require(failed.first { $0.id == "risk.signoff-roles" })
        #expect(roles.summary.contains("missing: product, sre"))
    }

    @Test(
        "score to class boundaries",
        arguments: [
            (1, 1, "low"), (2, 2, "low"), (1, 5, "medium"), (3, 3, "medium"), (2, 5, "high"), (4, 4, "high"),
            (3, 5, "high"),
            (4, 5, "critical"), (5, 5, "critical"),
        ])
    func classes(likelihood: Int, impact: Int, expected: String) throws {
        let text = SpecFixtures.minimal
            .replacingOccurrences(of: "likelihood: 2", with: "likelihood: \(likelihood)")
            .replacingOccurrences(of: "impact: 2", with: "impact: \(impact)")
        let spec = try SpecFixtures.load(text)
        #expect(RiskAssessment(spec: spec.risk, policy: .standard).riskClass == expected)
    }

    @Test(
        "impact derives from the highest-scoring fact",
        arguments: [
            ("recovery_minutes: 5", 1), ("recovery_minutes: 16", 3), ("recovery_minutes: 600", 5),
            ("users_affected_percent: 0.5", 1), ("users_affected_percent: 30", 4),
            ("revenue_per_minute: 10", 1), ("revenue_per_minute: 10001", 5),
            ("blast_radius: feature", 2), ("blast_radius: feature\n  recovery_minutes: 61", 4),
        ])
    func derivedImpact(facts: String, expected: Int) throws {
        let text = SpecFixtures.minimal.replacingOccurrences(of: "impact: 2", with: facts)
        let spec = try SpecFixtures.load(text)
        let risk = RiskAssessment(spec: spec.risk, policy: .standard)
        #expect(risk.impactDerived)
        #expect(risk.impact == expected)
    }

    @Test("a policy file overrides the classes it gives and keeps the rest")
    func policyOverride() throws {
        let dir = try TemporaryFolder("policy")
        defer { dir.remove() }
        let file = dir.appending("policy.yaml")
        try """
        classes:
          - { name: any, max_score: 25, canary_required: true, first_step_max_percent: 2, min_steps: 2, min_bake: 1m,
              feature_flag: false, automated_rollback: false, manual_approval: true, signoff: [sre] }
        load: { min_multiplier: 5 }

        """.write(to: file, atomically: true, encoding: .utf8)
        let policy = try RiskPolicy.load(file: file.path)
        #expect(policy.classes.map(\.name) == ["any"])
        #expect(policy.minimumLoadMultiplier == 5)
        #expect(policy.minimumLoadDuration == RiskPolicy.standard.minimumLoadDuration)
        #expect(policy.impactScale.recoveryMinutes == RiskPolicy.standard.impactScale.recoveryMinutes)
        #expect(policy.riskClass(forScore: 25).requires(firstStep: 2))

        // The stricter load minimum applies to specs loaded under this policy.
        let spec = SpecFixtures.minimal + "traffic: { expected_peak_rps: 10 }\nload: { multiplier: 4, duration: 10m }\n"
        do {
            _ = try SpecFixtures.load(spec, policy: policy)
            Issue.record("a 4x load test passed a 5x policy")
        } catch {
            #expect(
                error.diagnostics.map(\.description) == [
                    "t.yaml:10:21: load.multiplier: must be at least 5 (test at 5x expected peak or more), got 4"
                ])
        }
    }

    @Test("a bad policy file is rejected with located errors")
    func badPolicy() throws {
        let text = """
            classes:
              - { name: low, max_score: 9, canary_required: true, first_step_max_percent: 5, min_steps: 2, min_bake: 1m,
                  feature_flag: false, automated_rollback: false, manual_approval: false, signoff: [sre] }
              - { name: high, max_score: 4, canary_required: true, first_step_max_percent: 1, min_steps: 2, min_bake: 1m,
                  feature_flag: maybe, automated_rollback: false, manual_approval: false, signoff: [sre] }
            impact: { users_affected_percent: [1, 2, 3], recovery_minutes: [5, 15, 60, 240], revenue_per_minute: [1, 2, 3, 4] }

            """
        do {
            _ = try RiskPolicy.load(data: Data(text.utf8), file: "p.yaml", base: .standard)
            Issue.record("accepted a bad policy")
        } catch {
            #expect(
                error.diagnostics.map(\.description) == [
                    "p.yaml:4:5: classes[1].max_score: the last class must reach the highest score, 25, got 4",
                    "p.yaml:4:30: classes[1].max_score: classes must rise in max_score: 4 comes after 9",
                    "p.yaml:5:21: classes[1].feature_flag: expected true or false, got 'maybe'",
                    "p.yaml:6:35: impact.users_affected_percent: needs exactly 4 thresholds, got 3",
                ])
        }
    }

    @Test("the built-in policy's text is what the loader reads")
    func standardPolicyRoundTrip() throws {
        let policy = RiskPolicy.standard
        #expect(policy.classes.map(\.name) == ["low", "medium", "high", "critical"])
        #expect(policy.classes.last?.maxScore == 25)
        #expect(policy.minimumLoadMultiplier == 3)
        #expect(policy.origin == "built-in")
    }
}

extension RiskClassPolicy {
    fileprivate func requires(firstStep: Double) -> Bool { firstStepMaxPercent == firstStep }
}
