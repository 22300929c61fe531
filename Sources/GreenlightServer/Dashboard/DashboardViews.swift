internal import Foundation
import GreenlightCanary
import GreenlightCore
import GreenlightJSON
import GreenlightLedger
import GreenlightReports

/// Builds the pages' values from the ledger index, the gate and the flag store.
struct DashboardViews: Sendable {
    let index: LedgerIndex
    let flags: FlagStore
    let operatorRoles: Set<String>
    let deliveries: DashboardDeliveries?

    var ledger: ReleaseLedger { index.ledger }

    func gate(_ name: String) async throws -> GateDecision {
        try await index.cached("gate " + name) { _ in try await ledger.gate(release: name) }
    }

    // MARK: - Releases

    func releases(chrome: Chrome) async throws -> ReleasesPage {
        let rows = try await index.cached("dashboard releases") { state in
            var list: [(Int, ReleaseRow)] = []
            for release in state.releases.values {
                list.append((release.lastSequence, try await row(release)))
            }
            return list.sorted { $0.0 > $1.0 }.map(\.1)
        }
        let failures = (deliveries?() ?? []).filter { !Self.delivered($0.status) }.sorted { $0.time > $1.time }
            .map {
                DeliveryRow(
                    target: $0.target, event: $0.event, status: $0.status, detail: $0.detail,
                    time: LedgerTime.string($0.time))
            }
        return ReleasesPage(
            chrome: chrome, releases: rows, hasReleases: !rows.isEmpty, failures: failures,
            hasFailures: !failures.isEmpty, deliveriesWired: deliveries != nil)
    }

    /// A delivery status that is not a failure: delivered, ok, success or a 2xx code.
    static func delivered(_ status: String) -> Bool {
        let text = status.lowercased().trimmingCharacters(in: .whitespaces)
        return ["delivered", "ok", "success", "succeeded", "sent"].contains(text)
            || (text.count == 3 && text.hasPrefix("2") && Int(text) != nil)
    }

    private func row(_ release: ReleaseState) async throws -> ReleaseRow {
        let decision = try await gate(release.name)
        let verdict = release.report?.entry.verdict
        return ReleaseRow(
            name: release.name, link: Self.link(release.name), verdict: verdict ?? "no report",
            verdictClass: Self.verdictClass(verdict), riskClass: release.report?.entry.riskClass ?? "—",
            gate: decision.isOpen ? "open" : "closed", gateClass: decision.isOpen ? "open" : "closed",
            missing: decision.isOpen ? "" : Format.count(decision.missing.count, "thing") + " missing",
            canary: release.rolloutState == "none" ? "no rollout" : release.rolloutState,
            weight: release.weight.map(Self.percent) ?? "—",
            reportedAt: release.report.map { LedgerTime.string($0.time) } ?? "—")
    }

    // MARK: - One release

    func release(_ name: String, chrome: Chrome, serverURL: String) async throws -> ReleasePage? {
        let state = try await index.current()
        guard let release = state.releases[name] else { return nil }
        let decision = try await gate(name)
        let report = try await index.cached("dashboard report " + name) { _ -> ReportView? in
            guard let (record, entry) = decision.report, let report = try? ledger.report(in: record) else { return nil }
            return Self.reportView(report, entry: entry, record: record)
        }
        let approved = Dictionary(
            decision.approvals.map { ($0.signed.signOff.role, $0) }, uniquingKeysWith: { a, _ in a })
        let roles = decision.requiredRoles.map { role -> RoleRow in
            let approval = approved[role]
            return RoleRow(
                role: role, approved: approval != nil, signer: approval?.signed.signOff.signer ?? "",
                signedAt: approval?.signed.signOff.signedAt ?? "", record: approval?.sequence ?? 0,
                command: Self.signOffCommand(
                    release: name, role: role, digest: decision.report?.entry.digest, serverURL: serverURL))
        }
        let signOffs: [SignOffRow] = release.signOffs.compactMap { record in
            guard let data = record.payload.serialized().data(using: .utf8), let signOff = try? SignOff.decode(data)
            else { return nil }
            let approve = signOff.decision == .approve
            return SignOffRow(
                record: record.sequence, signer: signOff.signer, role: signOff.role,
                decision: approve ? "approve" : "reject", decisionClass: approve ? "pass" : "fail",
                comment: signOff.comment, signedAt: signOff.signedAt)
        }
        let entry = release.entry
        let ticket = entry?.ticket ?? ""
        let verdict = release.report?.entry.verdict
        return ReleasePage(
            chrome: chrome, name: name, owner: entry?.owner ?? "—", author: entry?.author ?? "—", ticket: ticket,
            ticketLink: Self.isWebLink(ticket) ? ticket : nil, verdict: verdict ?? "no report",
            verdictClass: Self.verdictClass(verdict), gateOpen: decision.isOpen, missing: decision.missing,
            ignored: decision.ignored, hasIgnored: !decision.ignored.isEmpty, report: report, roles: roles,
            hasRoles: !roles.isEmpty, pendingRoles: roles.filter { !$0.approved },
            hasPending: roles.contains { !$0.approved }, signOffs: signOffs.reversed(), hasSignOffs: !signOffs.isEmpty,
            canaryLink: Self.link(name) + "/canary", serverURL: serverURL
        )
    }

    /// The command that approves `release` for `role` against this server: `greenlight signoff`'s own
    /// options, with `--report` pinning the report the page shows, so that the sign-off is refused if a
    /// newer report was recorded since it was read.
    static func signOffCommand(release: String, role: String, digest: String?, serverURL: String) -> String {
        "greenlight signoff \(shellWord(release)) --role \(shellWord(role)) --decision approve"
            + (digest.map { " --report \(shellWord($0))" } ?? "") + " --ledger \(serverURL)"
    }

    static func reportView(_ report: Report, entry: ReportEntry, record: LedgerRecord) -> ReportView {
        let risk = report.risk
        let checks = report.checks.map { check in
            let evidence = check.evidence.map { EvidenceRow(kind: $0.kind, reference: $0.reference, sha256: $0.sha256) }
            return CheckRow(
                id: check.id, title: check.title, status: HTMLRenderer.statusLabel(check.status),
                statusClass: check.status.rawValue, summary: check.summary,
                required: check.required ? "required" : "not required",
                waiver: check.waiver.map { "waived by \($0.approver) until \($0.expires): \($0.reason)" },
                details: check.details, hasDetails: !check.details.isEmpty, evidence: evidence,
                hasEvidence: !evidence.isEmpty, hasMore: !evidence.isEmpty || !check.details.isEmpty)
        }
        return ReportView(
            digest: entry.digest, generatedAt: report.generatedAt, recordedAt: LedgerTime.string(record.time),
            record: record.sequence, checks: checks, riskClass: risk.riskClass, likelihood: risk.likelihood,
            impact: risk.impact, score: risk.score,
            impactNote: risk.impactDerived ? "derived from the facts below; the highest score counts" : "given",
            factors: risk.factors.map { FactorRow(name: $0.name, value: $0.value, score: $0.score) },
            hasFactors: !risk.factors.isEmpty, requirements: HTMLRenderer.requirementPhrases(risk),
            riskSummary: risk.summary, matrixSVG: HTMLRenderer.riskMatrixSVG(risk),
            loadHTML: report.loadTimeline.map(HTMLRenderer.loadChartsHTML))
    }

    // MARK: - Canary

    func canary(_ name: String, chrome: Chrome) async throws -> CanaryPage? {
        guard let live = try await canaryLive(name) else { return nil }
        return CanaryPage(
            chrome: chrome, name: name, releaseLink: Self.link(name),
            fragmentLink: Self.link(name) + "/canary/fragment", live: live)
    }

    func canaryLive(_ name: String) async throws -> CanaryLive? {
        let state = try await index.current()
        guard let release = state.releases[name] else { return nil }
        let points = release.rollout.map { item in
            CanaryChart.Point(
                time: item.record.time, weight: item.event.to, score: Self.score(item.event.evidence),
                action: item.event.action.rawValue)
        }
        let events = release.rollout.reversed().map { item in
            EventRow(
                record: item.record.sequence, time: LedgerTime.string(item.record.time),
                action: item.event.action.rawValue, from: Self.percent(item.event.from),
                to: Self.percent(item.event.to), score: Self.score(item.event.evidence).map(Self.scoreText) ?? "",
                outcome: Self.outcome(item.event.evidence) ?? "", by: item.event.by, reason: item.event.reason ?? "")
        }
        let lastScore = points.last(where: { $0.score != nil })?.score
        return CanaryLive(
            state: release.rolloutState, weight: release.weight.map(Self.percent) ?? "0 %",
            lastScore: lastScore.map(Self.scoreText) ?? "no score yet", updated: LedgerTime.string(Date()),
            chartSVG: CanaryChart.svg(points, release: name), events: events, hasEvents: !events.isEmpty,
            count: Format.count(events.count, "rollout event"))
    }

    static func score(_ evidence: JSONValue?) -> Double? {
        switch evidence?["score"] {
        case .double(let value)?: value
        case .int(let value)?: Double(value)
        default: nil
        }
    }

    static func outcome(_ evidence: JSONValue?) -> String? {
        if case .string(let text)? = evidence?["outcome"] { return text }
        return nil
    }

    static func scoreText(_ score: Double) -> String { Format.number((score * 10).rounded() / 10) }

    // MARK: - Flags

    func flagsPage(chrome: Chrome, roles: [String]) async throws -> FlagsPage {
        let snapshot = try await flags.refresh()
        let may = roles.contains(where: operatorRoles.contains)
        let rows = snapshot.entries.values.sorted { $0.flag.key < $1.flag.key }.map { entry in
            let flag = entry.flag
            let variants = flag.variants.keys.sorted().map { "\($0) = \(flag.variants[$0]!.serialized())" }
            return FlagRow(
                key: flag.key, killed: flag.killed, state: flag.killed ? "killed" : "live",
                stateClass: flag.killed ? "fail" : "pass",
                serving: flag.killed
                    ? "the kill variant"
                    : "default \(flag.defaultVariant)"
                        + (flag.rollout.map { ", \($0.variant) for \($0.percentage) %" } ?? "")
                        + (flag.rules.isEmpty ? "" : ", " + Format.count(flag.rules.count, "rule")),
                variants: variants.joined(separator: ", "), changedBy: entry.by,
                changedAt: LedgerTime.string(entry.time), reason: entry.reason.flatMap { $0.isEmpty ? nil : $0 },
                record: entry.sequence,
                killAction: "/flags/\(Self.pathSegment(flag.key))/kill",
                reviveAction: "/flags/\(Self.pathSegment(flag.key))/revive")
        }
        let why =
            may
            ? ""
            : "Killing or reviving a flag needs the role \(operatorRoles.sorted().joined(separator: " or ")); you hold \(roles.isEmpty ? "no role" : roles.joined(separator: ", "))."
        return FlagsPage(
            chrome: chrome, flags: rows, hasFlags: !rows.isEmpty, mayOperate: may, whyNot: why,
            problems: snapshot.problems, hasProblems: !snapshot.problems.isEmpty)
    }

    // MARK: - Words

    static func verdictClass(_ verdict: String?) -> String {
        switch verdict {
        case "GO"?: "go"
        case "NO-GO"?: "nogo"
        default: "none"
        }
    }

    static func percent(_ value: Double) -> String { Format.number(value) + " %" }

    /// The dashboard's path of a release page.
    static func link(_ release: String) -> String { "/releases/" + pathSegment(release) }

    static func pathSegment(_ text: String) -> String {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func isWebLink(_ text: String) -> Bool {
        guard let url = URL(string: text), let scheme = url.scheme?.lowercased() else { return false }
        return (scheme == "https" || scheme == "http") && url.host != nil
    }

    /// A word the shell reads as itself: quoted when it holds anything but safe characters.
    static func shellWord(_ text: String) -> String {
        let safe = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._-+:/=")
        if !text.isEmpty, text.unicodeScalars.allSatisfy(safe.contains) { return text }
        return "'" + text.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }
}
