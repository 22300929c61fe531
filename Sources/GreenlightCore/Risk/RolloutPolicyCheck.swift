/// Compares the declared rollout, rollback and signoff with what the risk class requires;
/// every control is its own check, so each shortfall is reported on its own.
public enum RolloutPolicyCheck {
    public static func evaluate(_ spec: ReleaseSpec, _ risk: RiskAssessment) -> [CheckResult] {
        let need = risk.requires
        let cls = "class \(risk.riskClass) (score \(risk.score))"
        let rollout = spec.rollout
        var out: [CheckResult] = []

        func check(_ id: String, _ title: String, _ ok: Bool, required: String, declared: String) {
            out.append(
                CheckResult(
                    id: "risk.\(id)", title: title, category: .risk, status: ok ? .pass : .fail,
                    summary: ok
                        ? "\(declared); \(cls) requires \(required)"
                        : "\(cls) requires \(required); declared: \(declared)",
                    evidence: [
                        CheckResult.EvidenceRecord(kind: "spec", reference: "\(spec.file): rollout/rollback/signoff")
                    ]))
        }

        let noRollout = "no rollout section"
        if need.canaryRequired || rollout != nil {
            check(
                "canary", "Canary rollout", rollout != nil,
                required: "a canary rollout", declared: rollout.map { "a \($0.strategy.rawValue) rollout" } ?? noRollout
            )
            let first = rollout?.steps.first
            check(
                "first-step", "First canary step", first.map { $0 <= need.firstStepMaxPercent } ?? false,
                required: "a first step of at most \(Format.number(need.firstStepMaxPercent))%",
                declared: first.map { "first step \(Format.number($0))%" } ?? noRollout)
            let steps = rollout?.steps.count
            check(
                "steps", "Canary steps", (steps ?? 0) >= need.minSteps,
                required: "at least \(need.minSteps) steps",
                declared: steps.map {
                    "\($0) steps (\(rollout!.steps.map { Format.number($0) + "%" }.joined(separator: ", ")))"
                } ?? noRollout)
            let bake = rollout?.bake
            check(
                "bake", "Bake time per step", (bake ?? SpecDuration(seconds: 0)) >= need.minBake,
                required: "a bake of at least \(need.minBake) per step",
                declared: rollout == nil ? noRollout : bake.map { "bake \($0)" } ?? "no bake time")
        } else {
            out.append(
                CheckResult(
                    id: "risk.canary", title: "Canary rollout", category: .risk, status: .pass,
                    summary: "no canary rollout declared; \(cls) does not require one"))
        }
        if need.featureFlag || rollout?.featureFlag != nil {
            check(
                "kill-switch", "Feature-flag kill switch", rollout?.featureFlag != nil,
                required: "a feature flag as kill switch",
                declared: rollout?.featureFlag.map { "feature flag '\($0)'" }
                    ?? (rollout == nil ? noRollout : "no feature_flag"))
        }
        if need.automatedRollback || spec.rollback?.automated == true {
            check(
                "automated-rollback", "Automated rollback", spec.rollback?.automated == true,
                required: "automated rollback",
                declared: spec.rollback == nil
                    ? "no rollback section"
                    : spec.rollback!.automated ? "rollback.automated: true" : "rollback.automated: false")
        }
        if need.manualApproval {
            check(
                "manual-approval", "Manual approval between steps", rollout?.manualApproval == true,
                required: "a person's approval between steps",
                declared: rollout == nil
                    ? noRollout : rollout!.manualApproval ? "manual_approval: true" : "manual_approval: false")
        }
        let declaredRoles = spec.signoff?.required ?? []
        let missing = need.signoff.filter { !declaredRoles.contains($0) }
        check(
            "signoff-roles", "Sign-off roles", missing.isEmpty,
            required: "sign-off by \(need.signoff.joined(separator: ", "))",
            declared: spec.signoff == nil
                ? "no signoff section"
                : "signoff by \(declaredRoles.joined(separator: ", "))"
                    + (missing.isEmpty ? "" : " (missing: \(missing.joined(separator: ", ")))"))
        return out
    }
}
