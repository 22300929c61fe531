import Foundation
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightCore
@testable import GreenlightLedger

/// A release ledger in a temporary folder: a real SQLite file, an admin key and registered signers.
struct ReleaseSetup: Sendable {
    let folder: TemporaryFolder
    let path: String
    let store: SQLiteLedgerStore
    let ledger: ReleaseLedger
    let admin: SigningKey
    /// The registered signers' keys, by name.
    var keys: [String: SigningKey]

    /// `name`'s signed sign-off of `digest`.
    func signOff(
        _ name: String, _ role: String, _ digest: String, decision: SignOff.Decision = .approve,
        comment: String = "dashboards and runbook checked", release: String = ReleaseFixtures.release
    ) throws -> SignedSignOff {
        let key = try #require(keys[name], "no key for \(name)")
        return try SignOff(
            signer: name, role: role, decision: decision, comment: comment, at: ReleaseFixtures.date,
            release: release, reportDigest: digest
        ).signed(by: key)
    }

    /// Records `name`'s sign-off through the ledger's rules.
    @discardableResult
    func record(
        _ name: String, _ role: String, _ digest: String, decision: SignOff.Decision = .approve,
        comment: String = "dashboards and runbook checked"
    ) async throws -> LedgerRecord {
        try await ledger.record(signOff: signOff(name, role, digest, decision: decision, comment: comment))
    }

    /// The kinds of the release's records, in order.
    func kinds(_ release: String = ReleaseFixtures.release) async throws -> [LedgerRecord.Kind] {
        try await ledger.history(release: release).map(\.kind)
    }

    func remove() { folder.remove() }
}

enum ReleaseFixtures {
    static let release = "checkout@2.14.0"
    static let date = Date(timeIntervalSince1970: 1_950_000_000)

    /// erin signs for engineering, sam for sre and product, alice (the releases' author) for engineering.
    static let signers: [(name: String, roles: [String])] = [
        ("erin", ["engineering"]), ("sam", ["sre", "product"]), ("alice", ["engineering"]),
    ]

    /// A ledger at `folder/ledger.sqlite` with an admin key and `signers` registered.
    static func setup(signers: [(name: String, roles: [String])] = signers) async throws -> ReleaseSetup {
        let folder = try TemporaryFolder()
        let path = folder.appending("ledger.sqlite").path
        let store = try SQLiteLedgerStore(path: path)
        let ledger = ReleaseLedger(store: store)
        let admin = SigningKey.generate(name: "admin")
        try await ledger.initialize(admin: admin)
        var keys: [String: SigningKey] = [:]
        for (name, roles) in signers {
            let key = SigningKey.generate(name: name)
            try await ledger.addSigner(
                SignerRegistration.register(name: name, roles: roles, key: key.publicKey, at: date, admin: admin))
            keys[name] = key
        }
        return ReleaseSetup(folder: folder, path: path, store: store, ledger: ledger, admin: admin, keys: keys)
    }

    /// A waiver as a report applies it.
    struct WaiverSpec: Sendable {
        var check: String
        var approver = "sre@example.com"
        var expires: String
    }

    /// A report of checkout 2.14.0 by alice: risk class low (1 × 1, requiring engineering) unless
    /// `likelihood` and `impact` say otherwise.
    static func report(
        version: String = "2.14.0", go: Bool = true, generatedAt: String = "2031-10-12T08:00:00Z",
        likelihood: Int = 1, impact: Int = 1, author: String? = "alice", ticket: String? = nil,
        waivers: [WaiverSpec] = []
    ) -> Report {
        var spec = RiskSpec(reading: ObjectReader(nil, RiskSpec.schema))
        spec.likelihood = likelihood
        spec.impact = impact
        let checks = waivers.map { waiver in
            CheckResult(
                id: waiver.check, title: "Waived \(waiver.check)", category: .checklist, status: .waived,
                summary: "waived until \(waiver.expires)",
                waiver: .init(
                    reason: "covered elsewhere", approver: waiver.approver, expires: CalendarDate(waiver.expires)!,
                    underlyingStatus: .fail))
        }
        var report = Report(
            generator: .init(name: "greenlight", version: "0.1.0"), generatedAt: generatedAt,
            release: .init(service: "checkout", version: version, owner: "payments", author: author, ticket: ticket),
            spec: .init(file: "release.yaml", sha256: String(repeating: "c3", count: 32)), policy: "built-in",
            verdict: .init(
                decision: go ? .go : .noGo, reasons: go ? [] : ["Smoke: fail"], counts: ["pass": go ? 1 : 0]),
            risk: RiskAssessment(spec: spec, policy: .standard), checks: checks, digest: nil)
        report.digest = report.computeDigest()
        return report
    }

    /// Records `report` with `specRoles` and returns its digest.
    @discardableResult
    static func record(
        _ report: Report, in setup: ReleaseSetup, specRoles: [String] = ["sre"], forbidAuthorApproval: Bool = true
    ) async throws -> String {
        try await setup.ledger.record(
            report: report, specRoles: specRoles, forbidAuthorApproval: forbidAuthorApproval)
        return try #require(report.digest)
    }

    /// What `body` throws as a sign-off refusal, as its message; nil when it throws nothing.
    static func refusal(_ body: () async throws -> Void) async throws -> String? {
        do {
            try await body()
            return nil
        } catch let refusal as SignOffRefusal {
            return refusal.description
        }
    }

    /// The ledger-bench executable beside the test binary.
    static func bench() throws -> String { try LedgerConcurrencyTests.bench() }
}
