import Foundation
import GreenlightCore

/// What every renderer shows the same way: the order of categories, the counts, and why a release is NO-GO.
extension Report {
    /// The checks grouped by category: checklist, then risk, then the others; empty categories left out.
    var checksByCategory: [(category: CheckResult.Category, checks: [CheckResult])] {
        CheckResult.Category.allCases.sorted { $0.displayRank < $1.displayRank }.compactMap { category in
            let checks = self.checks.filter { $0.category == category }
            return checks.isEmpty ? nil : (category, checks)
        }
    }

    /// How many checks have each status, best first, counted from the checks themselves.
    var statusCounts: [(status: CheckStatus, count: Int)] {
        CheckStatus.displayOrder.map { status in (status, checks.filter { $0.status == status }.count) }
    }

    /// The checks that stop the release.
    var blockingChecks: [CheckResult] { checks.filter(\.blocks) }

    /// Why the release is NO-GO, one plain sentence per blocking check; empty for GO.
    ///
    /// Taken from the checks, so a check that did not run says so; the verdict's own reasons are
    /// used when no check blocks but the verdict is NO-GO all the same.
    var noGoReasons: [String] {
        guard verdict.decision == .noGo else { return [] }
        let fromChecks = blockingChecks.map(\.blockingReason)
        if !fromChecks.isEmpty { return fromChecks }
        return verdict.reasons.isEmpty ? ["the verdict is NO-GO"] : verdict.reasons
    }

    /// `service version`, as the release is named everywhere.
    var releaseName: String { "\(release.service) \(release.version)" }

    /// The verdict in one line: `NO-GO checkout 2.14.0: 3 blocking checks`.
    var verdictLine: String {
        switch verdict.decision {
        case .noGo:
            let n = blockingChecks.isEmpty ? max(verdict.reasons.count, 1) : blockingChecks.count
            return "NO-GO \(releaseName): \(Format.count(n, "blocking check"))"
        case .go:
            let notes = statusCounts.filter { $0.count > 0 && $0.status != .pass }
                .map { "\($0.count) \($0.status.rawValue)" + ($0.status.blocks ? " (not required)" : "") }
            let tail = notes.isEmpty ? "" : " (\(notes.joined(separator: ", ")))"
            return "GO \(releaseName): \(Format.count(checks.count, "check")), none blocking\(tail)"
        }
    }
}

extension CheckResult {
    /// One plain sentence saying why this check stops the release.
    var blockingReason: String {
        switch status {
        case .notRun:
            let why = summary.droppingPrefix("not run:").droppingPrefix("not run").trimmingCharacters(in: .whitespaces)
            return "\(title): not run, which means NO-GO" + (why.isEmpty ? "" : " (\(why))")
        case .error:
            return "\(title): could not be checked (error): \(summary)"
        default:
            return "\(title): \(status == .fail ? "failed" : status.rawValue): \(summary)"
        }
    }

    /// The check's duration as people read it: `420ms`, `4.2s`, `2m05s`.
    var durationText: String { Format.duration(durationSeconds) }
}

extension CheckResult.Category {
    /// Checklist first, then risk, then the others in declaration order.
    var displayRank: Int {
        switch self {
        case .checklist: return 0
        case .risk: return 1
        default: return 2 + (Self.allCases.firstIndex(of: self) ?? 0)
        }
    }

    var displayName: String {
        switch self {
        case .checklist: return "Checklist"
        case .risk: return "Risk controls"
        case .smoke: return "Smoke tests"
        case .dependencies: return "Dependencies"
        case .parity: return "Environment parity"
        case .load: return "Load"
        case .observability: return "Observability"
        }
    }
}

extension CheckStatus {
    /// Best first, as statuses are listed in summaries.
    static let displayOrder: [CheckStatus] = [.pass, .warn, .waived, .skipped, .notRun, .fail, .error]
}

extension RiskAssessment {
    /// `likelihood 3 x impact 4 = 12`.
    var equation: String { "likelihood \(likelihood) x impact \(impact) = \(score)" }

    /// What the risk class requires, as short phrases.
    var requirementPhrases: [String] {
        let r = requires
        var out: [String] = []
        if r.canaryRequired {
            out.append("canary rollout")
            out.append("first step <= \(Format.number(r.firstStepMaxPercent))%")
            out.append(">= \(Format.count(r.minSteps, "step"))")
            out.append("bake >= \(r.minBake)")
        }
        if r.featureFlag { out.append("feature-flag kill switch") }
        if r.automatedRollback { out.append("automated rollback") }
        if r.manualApproval { out.append("manual approval between steps") }
        if !r.signoff.isEmpty { out.append("sign-off by \(r.signoff.joined(separator: ", "))") }
        return out
    }

    /// `blast_radius service (3), recovery_minutes 30 min (3)`.
    var factorText: String { factors.map { "\($0.name) \($0.value) (\($0.score))" }.joined(separator: ", ") }
}

extension String {
    func droppingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
