import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCore

@Suite("Checklist, waivers and the verdict")
struct ChecklistTests {
    static let today = SpecFixtures.date("2026-11-26")

    /// A spec in a temporary folder with a runbook, so the rollback plan can pass.
    /// One folder for every spec of these tests (the gate reads the runbook when it evaluates), reused across runs.
    static let folder: URL = {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("greenlight-checklist-tests")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try? "# rollback\n".write(to: dir.appendingPathComponent("rollback.md"), atomically: true, encoding: .utf8)
        return dir
    }()

    static func spec(_ extra: String, author: String? = nil) throws -> ReleaseSpec {
        let dir = folder
        var text = SpecFixtures.minimal + "signoff: { required: [engineering] }\n" + extra
        if let author {
            text = text.replacingOccurrences(
                of: "owner: payments-team", with: "owner: payments-team\n  author: \(author)")
        }
        return try SpecFixtures.load(text, file: dir.appendingPathComponent("release.yaml").path, directory: dir.path)
    }

    static let rollback =
        "rollback: { runbook: rollback.md, command: ./undo.sh, rehearsed: 2026-11-20, automated: true }\n"

    func item(_ report: Report, _ id: String) -> CheckResult? { report.checks.first { $0.id == "checklist.\(id)" } }

    @Test("the four non-negotiable items are always present, and not-run means NO-GO")
    func builtinItemsAlwaysPresent() throws {
        let report = Gate(spec: try Self.spec(Self.rollback), policy: .standard, now: Self.today).evaluate()
        let ids = report.checks.filter { $0.category == .checklist }.map(\.id)
        #expect(ids == BuiltinItem.allCases.map(\.checkID))
        #expect(item(report, "load-testing")?.status == .notRun)
        #expect(
            item(report, "load-testing")?.summary
                == "not run: the spec has no load section, so nothing shows the item holds")
        #expect(item(report, "rollback-plan")?.status == .pass)
        #expect(report.verdict.decision == .noGo)
        #expect(report.verdict.reasons.count == 3)
        #expect(report.verdict.reasons.contains { $0.hasPrefix("Load testing: not run") })
    }

    @Test("a waiver may excuse one observability check; the item is then decided by the others")
    func waiveOneObservabilityCheck() throws {
        let waiver = """
            checklist:
              waivers:
                - { item: observability.alert-pipeline, reason: no Alertmanager on this machine, approver: sre@example.com, expires: 2026-12-10 }

            """
        let spec = try Self.spec(Self.rollback + waiver)
        func check(_ id: ObservabilitySpec.CheckID, _ status: CheckStatus) -> CheckResult {
            CheckResult(id: id.rawValue, title: id.rawValue, category: .observability, status: status, summary: "s")
        }
        let waived = RunnerResult(
            feeds: .monitoringHooks, checks: [check(.health, .pass), check(.logs, .pass), check(.alertPipeline, .fail)])
        let hooks = item(
            Gate(spec: spec, policy: .standard, now: Self.today).evaluate(runners: [waived]), "monitoring-hooks")
        #expect(hooks?.status == .waived)
        #expect(
            hooks?.summary
                == "2 of 3 checks passed; waived: observability.alert-pipeline (waived by sre@example.com until 2026-12-10: no Alertmanager on this machine)"
        )
        // The waiver excuses that check only: another failing check still fails the item.
        let other = RunnerResult(
            feeds: .monitoringHooks, checks: [check(.health, .fail), check(.alertPipeline, .fail)])
        let failing = item(
            Gate(spec: spec, policy: .standard, now: Self.today).evaluate(runners: [other]), "monitoring-hooks")
        #expect(failing?.status == .fail)
        // A waiver must name an item or an observability check.
        let diagnostics = SpecFixtures.diagnostics(
            SpecFixtures.minimal
                + "checklist:\n  waivers:\n    - { item: observability.alert-pipe, reason: r, approver: a, expires: 2026-12-10 }\n",
            env: [:])
        #expect(
            diagnostics.first?.contains("no checklist item has the id 'observability.alert-pipe'") == true,
            "\(diagnostics)")
    }

    @Test("runner results decide the item they feed; all items passing gives GO")
    func runnersFeedItems() throws {
        let spec = try Self.spec(Self.rollback)
        func check(_ id: String, _ status: CheckStatus) -> CheckResult {
            CheckResult(id: id, title: id, category: .load, status: status, summary: "s")
        }
        let passing = [BuiltinItem.environmentParity, .loadTesting, .monitoringHooks].map {
            RunnerResult(feeds: $0, checks: [check("\($0.rawValue).a", .pass), check("\($0.rawValue).b", .warn)])
        }
        let go = Gate(spec: spec, policy: .standard, now: Self.today).evaluate(runners: passing)
        #expect(go.verdict.decision == .go, "\(go.verdict.reasons)")
        #expect(item(go, "load-testing")?.status == .warn)

        var failing = passing
        failing[1].checks.append(check("load.p99", .fail))
        let noGo = Gate(spec: spec, policy: .standard, now: Self.today).evaluate(runners: failing)
        #expect(noGo.verdict.decision == .noGo)
        #expect(item(noGo, "load-testing")?.status == .fail)
        #expect(item(noGo, "load-testing")?.summary == "1 of 3 checks did not pass: load.p99")

        // A stand-alone runner (smoke) fails the gate directly.
        let smoke = RunnerResult(
            feeds: nil,
            checks: [CheckResult(id: "smoke.buy", title: "buy", category: .smoke, status: .fail, summary: "402")])
        let withSmoke = Gate(spec: spec, policy: .standard, now: Self.today).evaluate(runners: passing + [smoke])
        #expect(withSmoke.verdict.reasons == ["buy: fail: 402"])
    }

    static let waiver = """
        checklist:
          waivers:
            - { item: load-testing, reason: load rig is down, approver: sre-lead@example.com, expires: EXPIRES }

        """

    @Test(
        "waivers: valid, expiring soon, expired, too long, approved by the author",
        arguments: [
            (
                "2026-12-20", nil as String?, CheckStatus.waived,
                "waived by sre-lead@example.com until 2026-12-20: load rig is down"
            ),
            (
                "2026-11-28", nil, .waived,
                "waived by sre-lead@example.com until 2026-11-28 (expires in 2 days): load rig is down"
            ),
            (
                "2026-11-26", nil, .waived,
                "waived by sre-lead@example.com until 2026-11-26 (expires in 0 days): load rig is down"
            ),
            (
                "2026-11-25", nil, .fail,
                "waiver expired on 2026-11-25 (approved by sre-lead@example.com); renew it or meet the item"
            ),
            ("2027-06-01", nil, .fail, "waiver runs until 2027-06-01, 187 days away; the policy allows at most 90"),
            (
                "2026-12-20", "SRE-lead@example.com", .fail,
                "waiver approved by sre-lead@example.com, the change's author; someone else must approve it"
            ),
        ])
    func waivers(expires: String, author: String?, status: CheckStatus, summary: String) throws {
        let spec = try Self.spec(
            Self.rollback + Self.waiver.replacingOccurrences(of: "EXPIRES", with: expires), author: author)
        let report = Gate(spec: spec, policy: .standard, now: Self.today).evaluate()
        let load = try #require(item(report, "load-testing"))
        #expect(load.status == status)
        #expect(load.summary == summary)
        #expect(load.waiver?.underlyingStatus == .notRun)
        #expect(load.waiver?.approver == "sre-lead@example.com")
    }

    @Test(
        "rollback plan: missing section, missing runbook, never rehearsed, stale rehearsal",
        arguments: [
            ("", CheckStatus.fail, "no rollback section: document and rehearse how this release is undone"),
            (
                "rollback: { runbook: nowhere.md, rehearsed: 2026-11-20, automated: true }\n", .fail,
                "runbook nowhere.md does not exist"
            ),
            (
                "rollback: { runbook: rollback.md, automated: true }\n", .fail,
                "never rehearsed: rehearse the rollback and record the date in rollback.rehearsed"
            ),
            (
                "rollback: { runbook: rollback.md, automated: true, rehearsed: 2026-06-01 }\n", .warn,
                "last rehearsed 178 days ago, on 2026-06-01; the policy wants a rehearsal within 90 days"
            ),
            (
                "rollback: { runbook: rollback.md, rehearsed: 2026-11-25 }\n", .warn,
                "no rollback command and not automated: rollback depends on a person following the runbook"
            ),
            (
                "rollback: { runbook: rollback.md, automated: true, rehearsed: 2026-12-01 }\n", .fail,
                "rehearsal date 2026-12-01 is in the future"
            ),
        ])
    func rollbackPlan(section: String, status: CheckStatus, summary: String) throws {
        let report = Gate(spec: try Self.spec(section), policy: .standard, now: Self.today).evaluate()
        let plan = try #require(item(report, "rollback-plan"))
        #expect(plan.status == status)
        #expect(plan.summary.hasPrefix(summary), "\(plan.summary)")
    }

    @Test("custom items: evidence decides; an optional item's failure only warns; missing evidence is not-run")
    func customItems() throws {
        let spec = try Self.spec(
            Self.rollback + """
                checklist:
                  custom:
                    - { id: must, title: Must hold, evidence: { file: a.md } }
                    - { id: nice, title: Nice to have, evidence: { file: b.md }, required: false }
                    - { id: unchecked, title: Not collected, evidence: { command: "true" } }

                """)
        let failed = CheckResult(
            id: "", title: "", category: .checklist, status: .fail, summary: "file a.md does not exist")
        let report = Gate(spec: spec, policy: .standard, now: Self.today)
            .evaluate(customEvidence: ["must": failed, "nice": failed])
        #expect(item(report, "must")?.status == .fail)
        #expect(item(report, "must")?.title == "Must hold")
        #expect(item(report, "nice")?.status == .warn)
        #expect(item(report, "nice")?.blocks == false)
        #expect(item(report, "unchecked")?.status == .notRun)
    }
}

@Suite("Report digest")
struct ReportDigestTests {
    @Test("the digest is the SHA-256 of the canonical JSON without the digest, and changes with the content")
    func digest() throws {
        let spec = try ChecklistTests.spec(ChecklistTests.rollback)
        let report = Gate(spec: spec, policy: .standard, now: ChecklistTests.today).evaluate()
        let digest = try #require(report.digest)
        #expect(digest.hasPrefix("sha256:") && digest.count == 7 + 64)
        #expect(report.computeDigest() == digest)

        // Written, read back and recomputed, it still matches: a signer can verify it.
        let decoded = try Report.decode(report.json())
        #expect(decoded == report)
        #expect(decoded.computeDigest() == digest)

        var tampered = decoded
        tampered.checks[0].status = .pass
        #expect(tampered.computeDigest() != digest)

        // The canonical form is compact with sorted keys.
        let canonical = String(decoding: report.canonicalJSON(), as: UTF8.self)
        #expect(!canonical.contains("\n") && !canonical.contains("\"digest\""))
        #expect(canonical.hasPrefix("{\"checks\":"))
    }
}
