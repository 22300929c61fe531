import Foundation

/// What a runner (smoke, dependencies, parity, load, observability) hands the gate.
public struct RunnerResult: Sendable {
    /// The non-negotiable item the runner decides, if any; its checks' worst status becomes the item's.
    public var feeds: BuiltinItem?
    public var checks: [CheckResult]

    public init(feeds: BuiltinItem?, checks: [CheckResult]) {
        self.feeds = feeds
        self.checks = checks
    }
}

/// Turns runner results and evidence into the checklist: the four non-negotiable items, the custom
/// items, and the waivers applied to both.
public struct ChecklistEvaluator: Sendable {
    public var spec: ReleaseSpec
    public var policy: RiskPolicy
    public var today: CalendarDate

    public init(spec: ReleaseSpec, policy: RiskPolicy, today: CalendarDate) {
        self.spec = spec
        self.policy = policy
        self.today = today
    }

    public func evaluate(runners: [RunnerResult], customEvidence: [String: CheckResult]) -> [CheckResult] {
        var items: [CheckResult] = []
        for item in BuiltinItem.allCases {
            let base: CheckResult
            if item == .rollbackPlan {
                base = rollbackPlan()
            } else {
                base = builtin(item, fed: runners.filter { $0.feeds == item }.flatMap(\.checks))
            }
            items.append(applyWaiver(base, itemID: item.rawValue))
        }
        for custom in spec.checklist.custom {
            var result =
                customEvidence[custom.id]
                ?? CheckResult(
                    id: "checklist.\(custom.id)", title: custom.title, category: .checklist, status: .notRun,
                    summary: "not run: its evidence was not collected")
            result.id = "checklist.\(custom.id)"
            result.title = custom.title
            result.category = .checklist
            if !custom.required, result.status.blocks {
                result.summary = "(not required) " + result.summary
                result.status = .warn
            }
            items.append(applyWaiver(result, itemID: custom.id))
        }
        return items
    }

    /// A non-negotiable item decided by the checks of the runner that feeds it.
    func builtin(_ item: BuiltinItem, fed: [CheckResult]) -> CheckResult {
        // A waiver may excuse one check of an item (an observability check such as the alert pipeline).
        let checks = fed.map { spec.checklist.waiver(for: $0.id) == nil ? $0 : applyWaiver($0, itemID: $0.id) }
        guard !checks.isEmpty else {
            let hasSection = spec.source?[item.section].map { !$0.isNull } ?? false
            let reason =
                hasSection
                ? "not run: nothing in the \(item.section) section was checked (is there an environment to check?), so nothing shows the item holds"
                : "not run: the spec has no \(item.section) section, so nothing shows the item holds"
            return CheckResult(
                id: item.checkID, title: item.title, category: .checklist, status: .notRun, summary: reason,
                details: ["why it matters: \(item.why)"])
        }
        let worst = checks.max { $0.status.severity < $1.status.severity }!
        let failing = checks.filter { $0.status.blocks }
        let summary: String
        if checks.count == 1 {
            // One check decides the item: its own words say more than a count.
            summary = failing.isEmpty ? checks[0].summary : "\(checks[0].title): \(checks[0].summary)"
        } else if failing.isEmpty, worst.status == .waived {
            let waived = checks.filter { $0.status == .waived }
            summary =
                "\(checks.count - waived.count) of \(checks.count) checks passed; waived: "
                + waived.map { "\($0.title) (\($0.summary))" }.joined(separator: "; ")
        } else if failing.isEmpty {
            summary =
                "\(Format.count(checks.count, "check")) \(worst.status == .warn ? "passed with warnings" : "passed")"
        } else {
            summary =
                "\(failing.count) of \(checks.count) checks did not pass: "
                + failing.prefix(3).map(\.title).joined(separator: "; ")
        }
        return CheckResult(
            id: item.checkID, title: item.title, category: .checklist, status: worst.status, summary: summary,
            // A failing check brings its own details (a parity drift table, say) into the item.
            details: checks.flatMap { check in
                ["\(check.status.rawValue): \(check.title): \(check.summary)"]
                    + (check.status == .pass && checks.count > 1 ? [] : check.details.map { "  " + $0 })
            },
            // One check decides the item: its measurements (a load test's rps and p99, say) stay with it.
            measurements: checks.count == 1 ? checks[0].measurements : [],
            evidence: checks.map { CheckResult.EvidenceRecord(kind: "check", reference: $0.id) },
            durationSeconds: checks.map(\.durationSeconds).reduce(0, +))
    }

    /// The rollback plan is judged from the spec: a runbook that exists, a way to roll back, a recent rehearsal.
    func rollbackPlan() -> CheckResult {
        let item = BuiltinItem.rollbackPlan
        func result(
            _ status: CheckStatus, _ summary: String, _ details: [String], _ evidence: [CheckResult.EvidenceRecord]
        ) -> CheckResult {
            CheckResult(
                id: item.checkID, title: item.title, category: .checklist, status: status, summary: summary,
                details: details, evidence: evidence)
        }
        guard let rollback = spec.rollback else {
            return result(.fail, "no rollback section: document and rehearse how this release is undone", [], [])
        }
        var findings: [(CheckStatus, String)] = []
        var evidence: [CheckResult.EvidenceRecord] = []
        if let runbook = rollback.runbook {
            if runbook.hasPrefix("http://") || runbook.hasPrefix("https://") {
                findings.append((.pass, "runbook at \(runbook)"))
                evidence.append(.init(kind: "url", reference: runbook))
            } else {
                let path = SpecPath.resolve(runbook, in: spec.directory)
                if let data = FileManager.default.contents(atPath: path) {
                    findings.append((.pass, "runbook \(runbook) exists"))
                    evidence.append(.init(kind: "file", reference: runbook, sha256: Hashing.sha256Hex(data)))
                } else {
                    findings.append((.fail, "runbook \(runbook) does not exist (looked for \(path))"))
                }
            }
        } else {
            findings.append((.fail, "no runbook: give rollback.runbook, a file or URL"))
        }
        if let command = rollback.command {
            findings.append((.pass, "rollback command: \(command)"))
        } else if !rollback.automated {
            findings.append(
                (.warn, "no rollback command and not automated: rollback depends on a person following the runbook"))
        }
        if let rehearsed = rollback.rehearsed {
            let age = rehearsed.days(until: today)
            let maxDays = Int(policy.rollbackRehearsalMaxAge.seconds / 86400)
            if age < 0 {
                findings.append((.fail, "rehearsal date \(rehearsed) is in the future"))
            } else if age > maxDays {
                findings.append(
                    (
                        .warn,
                        "last rehearsed \(age) days ago, on \(rehearsed); the policy wants a rehearsal within \(maxDays) days"
                    ))
            } else {
                findings.append((.pass, "rehearsed \(Format.count(age, "day")) ago, on \(rehearsed)"))
            }
        } else {
            findings.append((.fail, "never rehearsed: rehearse the rollback and record the date in rollback.rehearsed"))
        }
        let worst = findings.map(\.0).max { $0.severity < $1.severity } ?? .pass
        let summary =
            findings.first { $0.0 == worst && worst != .pass }?.1
            ?? "runbook, rollback path and a rehearsal on record"
        return result(worst, summary, findings.map { "\($0.0.rawValue): \($0.1)" }, evidence)
    }

    /// Applies the item's waiver, if there is one: a valid waiver excuses a failure; a bad one fails the item.
    func applyWaiver(_ result: CheckResult, itemID: String) -> CheckResult {
        guard let waiver = spec.checklist.waiver(for: itemID) else { return result }
        var out = result
        let record = CheckResult.WaiverRecord(
            reason: waiver.reason, approver: waiver.approver, expires: waiver.expires,
            underlyingStatus: result.status)
        out.waiver = record
        let daysLeft = today.days(until: waiver.expires)
        var problem: String? = nil
        if daysLeft < 0 {
            problem = "waiver expired on \(waiver.expires) (approved by \(waiver.approver)); renew it or meet the item"
        } else if daysLeft > policy.waiverMaxDays {
            problem =
                "waiver runs until \(waiver.expires), \(daysLeft) days away; the policy allows at most \(policy.waiverMaxDays)"
        } else if spec.signoff?.forbidAuthorApproval ?? true, let author = spec.service.author,
            author.caseInsensitiveCompare(waiver.approver) == .orderedSame
        {
            problem = "waiver approved by \(waiver.approver), the change's author; someone else must approve it"
        }
        if let problem {
            out.status = .fail
            out.summary = problem
            out.details.insert("underlying: \(result.status.rawValue): \(result.summary)", at: 0)
            return out
        }
        guard result.status.blocks || result.status == .warn else {
            out.details.append(
                "waiver by \(waiver.approver) not needed: the item \(result.status == .pass ? "passes" : "is \(result.status.rawValue)")"
            )
            return out
        }
        out.status = .waived
        out.summary =
            "waived by \(waiver.approver) until \(waiver.expires)\(daysLeft <= 7 ? " (expires in \(Format.count(daysLeft, "day")))" : ""): \(waiver.reason)"
        out.details.insert("underlying: \(result.status.rawValue): \(result.summary)", at: 0)
        return out
    }
}
