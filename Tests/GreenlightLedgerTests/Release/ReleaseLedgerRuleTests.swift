import Foundation
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightCore
@testable import GreenlightLedger

@Suite("Release ledger rules on a SQLite ledger")
struct ReleaseLedgerRuleTests {
    @Test("the admin key is set once: a second ledger init is refused and the first key stays")
    func initOnce() async throws {
        let setup = try await ReleaseFixtures.setup(signers: [])
        defer { setup.remove() }
        #expect(try await setup.ledger.adminKey() == setup.admin.publicKey)
        let other = SigningKey.generate(name: "intruder")
        let error = await #expect(throws: LedgerError.self) { try await setup.ledger.initialize(admin: other) }
        #expect(
            error?.message
                == "the ledger already has an admin key (admin, key id \(setup.admin.publicKey.shortKeyID)); it is set once"
        )
        #expect(try await setup.ledger.adminKey() == setup.admin.publicKey)
        #expect(try await setup.store.head().count == 1)
    }

    @Test("a signer is added only with the admin key's signature; a registration signed by another key is refused")
    func signerNeedsAdmin() async throws {
        let empty = try TemporaryFolder()
        defer { empty.remove() }
        let bare = ReleaseLedger(store: try SQLiteLedgerStore(path: empty.appending("ledger.sqlite").path))
        let admin = SigningKey.generate(name: "admin")
        let erin = SigningKey.generate(name: "erin")
        let early = try SignerRegistration.register(
            name: "erin", roles: ["engineering"], key: erin.publicKey, admin: admin)
        let before = await #expect(throws: LedgerError.self) { try await bare.addSigner(early) }
        #expect(before?.message == "the ledger has no admin key yet: run greenlight ledger init first")

        let setup = try await ReleaseFixtures.setup(signers: [])
        defer { setup.remove() }
        let mallory = SigningKey.generate(name: "mallory")
        // Signed by mallory, naming mallory as the registering key.
        let own = try SignerRegistration.register(
            name: "eve", roles: ["engineering"], key: mallory.publicKey, admin: mallory)
        let refused = await #expect(throws: LedgerError.self) { try await setup.ledger.addSigner(own) }
        #expect(
            refused?.message
                == "signer eve was registered by key \(mallory.keyID.prefix(16)), not by the ledger's admin key \(setup.admin.publicKey.shortKeyID)"
        )
        // Claiming the admin key, but signed by mallory.
        var claimed = own
        claimed.registeredBy = setup.admin.keyID
        claimed.signature = try mallory.sign(claimed.signedBytes()).base64EncodedString()
        let forged = await #expect(throws: LedgerError.self) { try await setup.ledger.addSigner(claimed) }
        #expect(
            forged?.message
                == "signer eve's registration does not carry a valid signature of the admin key \(setup.admin.publicKey.shortKeyID)"
        )
        #expect(try await setup.store.head().count == 1)
        #expect(try await setup.ledger.registry().signatures.signers.isEmpty)

        try await setup.ledger.addSigner(
            SignerRegistration.register(name: "erin", roles: ["engineering"], key: erin.publicKey, admin: setup.admin))
        #expect(try await setup.ledger.registry().signatures.signers["erin"]?.keyID == erin.keyID)
    }

    @Test("re-registering a name replaces its key and roles: the old key's new sign-offs are refused")
    func reRegister() async throws {
        var setup = try await ReleaseFixtures.setup(signers: [("erin", ["engineering"])])
        defer { setup.remove() }
        let digest = try await ReleaseFixtures.record(ReleaseFixtures.report(), in: setup)
        let oldKey = try #require(setup.keys["erin"])
        try await setup.record("erin", "engineering", digest)

        let newKey = SigningKey.generate(name: "erin")
        try await setup.ledger.addSigner(
            SignerRegistration.register(name: "erin", roles: ["sre"], key: newKey.publicKey, admin: setup.admin))
        let (signatures, refused) = try await setup.ledger.registry()
        #expect(refused.isEmpty)
        #expect(signatures.signers["erin"]?.roles == ["sre"])
        #expect(signatures.signers["erin"]?.keyID == newKey.keyID)
        #expect(signatures.registration(keyID: oldKey.keyID) == nil)

        // The old key, for the role it held and for the new role: both refused.
        let asBefore = try await ReleaseFixtures.refusal { try await setup.record("erin", "engineering", digest) }
        #expect(asBefore == "erin's approve as engineering: erin is registered for sre, not engineering")
        let asNow = try await ReleaseFixtures.refusal { try await setup.record("erin", "sre", digest) }
        #expect(
            asNow
                == "erin's approve as sre was signed with key \(oldKey.keyID.prefix(16)), not erin's registered key \(newKey.publicKey.shortKeyID)"
        )
        setup.keys["erin"] = newKey
        let record = try await setup.record("erin", "sre", digest)
        #expect(record.signature?.keyID == newKey.keyID)
    }

    @Test("a key already registered to another signer is refused: the registry finds signers by key")
    func sharedKey() async throws {
        let setup = try await ReleaseFixtures.setup(signers: [("erin", ["engineering"])])
        defer { setup.remove() }
        let erin = try #require(setup.keys["erin"])
        let digest = try await ReleaseFixtures.record(ReleaseFixtures.report(), in: setup)
        let head = try await setup.store.head()
        let error = await #expect(throws: LedgerError.self) {
            try await setup.ledger.addSigner(
                SignerRegistration.register(name: "sam", roles: ["sre"], key: erin.publicKey, admin: setup.admin))
        }
        #expect(
            error?.message
                == "key \(erin.keyID.prefix(16)) is already registered to signer erin; each signer needs a key of their own"
        )
        #expect(try await setup.store.head() == head)
        // erin's sign-offs still verify, under the ledger's rules and the gate's.
        try await setup.record("erin", "engineering", digest)
        #expect(try await setup.store.verify(signatures: LedgerSignatures()) == .intact(try await setup.store.head()))
        #expect(try await setup.ledger.gate(release: ReleaseFixtures.release).ignored == [])
        // Re-registering erin herself with her own key (new roles) is allowed.
        try await setup.ledger.addSigner(
            SignerRegistration.register(
                name: "erin", roles: ["engineering", "sre"], key: erin.publicKey, admin: setup.admin))
        #expect(try await setup.ledger.registry().signatures.signers["erin"]?.roles == ["engineering", "sre"])
    }

    @Test("a report whose digest does not match its content is refused, and nothing is recorded")
    func mismatchedDigest() async throws {
        let setup = try await ReleaseFixtures.setup(signers: [])
        defer { setup.remove() }
        var report = ReleaseFixtures.report()
        let stated = try #require(report.digest)
        report.verdict.reasons = ["edited after the digest was computed"]
        let error = await #expect(throws: LedgerError.self) {
            try await setup.ledger.record(report: report, specRoles: [], forbidAuthorApproval: true)
        }
        #expect(
            error?.message
                == "the report's digest \(stated) does not match its content (\(report.computeDigest())): it was changed after it was made; run greenlight check again"
        )
        #expect(try await setup.store.head().count == 1)
        // Without a digest, the ledger computes it.
        report.digest = nil
        try await setup.ledger.record(report: report, specRoles: [], forbidAuthorApproval: true)
        #expect(
            try await setup.ledger.latestReport(release: ReleaseFixtures.release)?.entry.digest
                == report.computeDigest())
    }

    @Test("recording a report writes the release record once, and again only when its owner, author or ticket changes")
    func releaseRecordOnce() async throws {
        let setup = try await ReleaseFixtures.setup(signers: [])
        defer { setup.remove() }
        try await ReleaseFixtures.record(ReleaseFixtures.report(), in: setup)
        #expect(try await setup.kinds() == [.release, .report])
        try await ReleaseFixtures.record(ReleaseFixtures.report(generatedAt: "2031-10-12T09:00:00Z"), in: setup)
        #expect(try await setup.kinds() == [.release, .report, .report])
        try await ReleaseFixtures.record(
            ReleaseFixtures.report(generatedAt: "2031-10-12T10:00:00Z", ticket: "CHG-1042"), in: setup)
        #expect(try await setup.kinds() == [.release, .report, .report, .release, .report])
        try await ReleaseFixtures.record(
            ReleaseFixtures.report(generatedAt: "2031-10-12T11:00:00Z", author: "bob", ticket: "CHG-1042"), in: setup)
        #expect(try await setup.kinds() == [.release, .report, .report, .release, .report, .release, .report])

        let latest = try #require(try await setup.store.latest(release: ReleaseFixtures.release, kind: .release))
        let entry = try LedgerJSON.decode(ReleaseEntry.self, latest.payload)
        #expect(
            entry
                == ReleaseEntry(
                    .init(service: "checkout", version: "2.14.0", owner: "payments", author: "bob", ticket: "CHG-1042"))
        )
        // Another version is another release.
        try await ReleaseFixtures.record(ReleaseFixtures.report(version: "2.15.0"), in: setup)
        #expect(try await setup.kinds("checkout@2.15.0") == [.release, .report])
    }

    @Test("the report entry requires the spec's roles and the risk class's, sorted, and holds the report whole")
    func reportEntry() async throws {
        let setup = try await ReleaseFixtures.setup(signers: [])
        defer { setup.remove() }
        let report = ReleaseFixtures.report(likelihood: 3, impact: 4)
        #expect(report.risk.riskClass == "high")
        #expect(report.risk.requires.signoff == ["engineering", "product", "sre"])
        let record = try await setup.ledger.record(
            report: report, specRoles: ["qa", "engineering"], forbidAuthorApproval: false)
        let (latestRecord, entry) = try #require(try await setup.ledger.latestReport(release: ReleaseFixtures.release))
        #expect(latestRecord == record)
        #expect(entry.requiredRoles == ["engineering", "product", "qa", "sre"])
        #expect(entry.digest == report.computeDigest())
        #expect(entry.verdict == "GO")
        #expect(entry.riskClass == "high")
        #expect(entry.author == "alice")
        #expect(entry.forbidAuthorApproval == false)
        #expect(entry.generatedAt == "2031-10-12T08:00:00Z")
        #expect(try setup.ledger.report(in: record) == report)
    }

    @Test("a waiver is recorded once per check, approver and expiry, naming the report that first applied it")
    func waiversOnce() async throws {
        let setup = try await ReleaseFixtures.setup(signers: [])
        defer { setup.remove() }
        let load = ReleaseFixtures.WaiverSpec(check: "checklist.load-testing", expires: "2031-12-01")
        let rollback = ReleaseFixtures.WaiverSpec(check: "checklist.rollback-plan", expires: "2031-12-01")
        let first = try await ReleaseFixtures.record(ReleaseFixtures.report(waivers: [load, rollback]), in: setup)
        #expect(try await setup.kinds() == [.release, .report, .waiver, .waiver])
        // The same two again: nothing new; then the load waiver renewed, and one approved by someone else.
        let second = try await ReleaseFixtures.record(
            ReleaseFixtures.report(generatedAt: "2031-10-13T08:00:00Z", waivers: [load, rollback]), in: setup)
        #expect(try await setup.kinds() == [.release, .report, .waiver, .waiver, .report])
        var renewed = load
        renewed.expires = "2031-12-15"
        var otherApprover = rollback
        otherApprover.approver = "cto@example.com"
        let third = try await ReleaseFixtures.record(
            ReleaseFixtures.report(generatedAt: "2031-10-14T08:00:00Z", waivers: [renewed, rollback, otherApprover]),
            in: setup)
        #expect(try await setup.kinds() == [.release, .report, .waiver, .waiver, .report, .report, .waiver, .waiver])
        let waivers = try await setup.ledger.history(release: ReleaseFixtures.release).filter { $0.kind == .waiver }
            .map { try LedgerJSON.decode(WaiverEntry.self, $0.payload) }
        #expect(
            waivers.map { [$0.check, $0.approver, $0.expires, $0.reportDigest] } == [
                ["checklist.load-testing", "sre@example.com", "2031-12-01", first],
                ["checklist.rollback-plan", "sre@example.com", "2031-12-01", first],
                ["checklist.load-testing", "sre@example.com", "2031-12-15", third],
                ["checklist.rollback-plan", "cto@example.com", "2031-12-01", third],
            ])
        #expect(second != third)
    }

    @Test("a sign-off is refused with a message naming why, and nothing is appended")
    func refusals() async throws {
        let setup = try await ReleaseFixtures.setup()
        defer { setup.remove() }
        let release = ReleaseFixtures.release
        let noReport = try await ReleaseFixtures.refusal {
            try await setup.record("erin", "engineering", SigningFixtures.digest)
        }
        #expect(noReport == "no readiness report is recorded for \(release): run greenlight check on its spec first")

        let old = try await ReleaseFixtures.record(ReleaseFixtures.report(), in: setup)
        let latest = try await ReleaseFixtures.record(
            ReleaseFixtures.report(generatedAt: "2031-10-12T09:00:00Z"), in: setup)
        let elsewhere = try await ReleaseFixtures.record(ReleaseFixtures.report(version: "2.15.0"), in: setup)
        let head = try await setup.store.head()

        let stale = try await ReleaseFixtures.refusal { try await setup.record("erin", "engineering", old) }
        #expect(
            stale
                == "the sign-off is for report \(old), which is stale: a newer check of \(release) recorded report \(latest); sign that one"
        )
        let foreign = try await ReleaseFixtures.refusal { try await setup.record("erin", "engineering", elsewhere) }
        #expect(
            foreign
                == "the sign-off is for report \(elsewhere), which is not a report of \(release) (its latest is \(latest))"
        )
        let role = try await ReleaseFixtures.refusal { try await setup.record("erin", "sre", latest) }
        #expect(role == "erin's approve as sre: erin is registered for engineering, not sre")

        let mallory = SigningKey.generate(name: "mallory")
        let unregistered = try await ReleaseFixtures.refusal {
            try await setup.ledger.record(
                signOff: SignOff(
                    signer: "mallory", role: "engineering", decision: .approve, comment: "", release: release,
                    reportDigest: latest
                ).signed(by: mallory))
        }
        #expect(unregistered == "mallory is not a registered signer: an admin runs greenlight signer add")
        let erin = try #require(setup.keys["erin"])
        let wrongKey = try await ReleaseFixtures.refusal {
            try await setup.ledger.record(
                signOff: SignOff(
                    signer: "erin", role: "engineering", decision: .approve, comment: "", release: release,
                    reportDigest: latest
                ).signed(by: mallory))
        }
        #expect(
            wrongKey
                == "erin's approve as engineering was signed with key \(mallory.keyID.prefix(16)), not erin's registered key \(erin.publicKey.shortKeyID)"
        )
        // A signature that is not erin's over these bytes, under erin's key id.
        var tampered = try setup.signOff("erin", "engineering", latest)
        tampered.signOff.comment = "changed after signing"
        let badSignature = try await ReleaseFixtures.refusal { try await setup.ledger.record(signOff: tampered) }
        #expect(
            badSignature
                == "erin's approve as engineering: the signature does not verify with erin's key \(erin.publicKey.shortKeyID)"
        )

        let author = try await ReleaseFixtures.refusal { try await setup.record("alice", "engineering", latest) }
        #expect(
            author
                == "alice is the author of \(release), and its spec forbids the author's approval (signoff.forbid_author_approval)"
        )
        #expect(try await setup.store.head() == head)
        // alice may still reject her own release.
        try await setup.record("alice", "engineering", latest, decision: .reject)
        #expect(try await setup.store.head().count == head.count + 1)
    }

    @Test("approving a NO-GO report is refused; a rejection of it is recorded")
    func noGo() async throws {
        let setup = try await ReleaseFixtures.setup()
        defer { setup.remove() }
        let digest = try await ReleaseFixtures.record(ReleaseFixtures.report(go: false), in: setup)
        let approval = try await ReleaseFixtures.refusal { try await setup.record("erin", "engineering", digest) }
        #expect(
            approval
                == "report \(digest) of \(ReleaseFixtures.release) is NO-GO: there is nothing to approve until a check is GO (a rejection may still be recorded)"
        )
        let rejection = try await setup.record("sam", "sre", digest, decision: .reject, comment: "smoke fails")
        #expect(try LedgerJSON.decode(SignOff.self, rejection.payload).decision == .reject)
        #expect(try await setup.kinds() == [.release, .report, .signoff])
    }

    @Test("the author may approve when the spec allows it (forbid_author_approval: false), matched by e-mail too")
    func authorAllowed() async throws {
        let setup = try await ReleaseFixtures.setup()
        defer { setup.remove() }
        let digest = try await ReleaseFixtures.record(
            ReleaseFixtures.report(), in: setup, forbidAuthorApproval: false)
        let record = try await setup.record("alice", "engineering", digest)
        #expect(record.kind == .signoff)
        #expect(
            try await setup.ledger.gate(release: ReleaseFixtures.release).approvals.map(\.signed.signOff.signer) == [
                "alice"
            ])

        // Forbidden again, with the author given as an e-mail address.
        let forbidden = try await ReleaseFixtures.record(
            ReleaseFixtures.report(generatedAt: "2031-10-12T09:00:00Z", author: "Alice@example.com"), in: setup)
        let refused = try await ReleaseFixtures.refusal { try await setup.record("alice", "engineering", forbidden) }
        #expect(
            refused
                == "alice is the author of \(ReleaseFixtures.release), and its spec forbids the author's approval (signoff.forbid_author_approval)"
        )
    }
}
