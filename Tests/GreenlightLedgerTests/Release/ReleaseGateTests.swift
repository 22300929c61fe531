import Foundation
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightCore
@testable import GreenlightLedger

@Suite("The release gate")
struct ReleaseGateTests {
    static let release = ReleaseFixtures.release

    @Test("open when the latest report is GO and every required role approved its digest")
    func open() async throws {
        let setup = try await ReleaseFixtures.setup()
        defer { setup.remove() }
        let none = try await setup.ledger.gate(release: Self.release)
        #expect(
            none.missing == [
                "no readiness report is recorded for \(Self.release): run greenlight check on its spec (it records by default)"
            ])
        let digest = try await ReleaseFixtures.record(ReleaseFixtures.report(), in: setup)
        try await setup.record("erin", "engineering", digest)
        let half = try await setup.ledger.gate(release: Self.release)
        #expect(half.requiredRoles == ["engineering", "sre"])
        #expect(half.missing == ["no approval by sre of report \(digest)"])
        #expect(!half.isOpen)

        let sam = try await setup.record("sam", "sre", digest)
        // A second approval for a role counts once; an approval for a role not required is listed after.
        try await setup.record("sam", "product", digest)
        let decision = try await setup.ledger.gate(release: Self.release)
        #expect(decision.isOpen)
        #expect(decision.missing == [])
        #expect(decision.ignored == [])
        #expect(decision.report?.entry.digest == digest)
        #expect(decision.approvals.map(\.signed.signOff.role) == ["engineering", "sre", "product"])
        #expect(decision.approvals[1].sequence == sam.sequence)
        #expect(decision.approvals[1].registration.name == "sam")
    }

    @Test("a newer report makes earlier approvals stale: every role is missing again")
    func newerReport() async throws {
        let setup = try await ReleaseFixtures.setup()
        defer { setup.remove() }
        let first = try await ReleaseFixtures.record(ReleaseFixtures.report(), in: setup)
        let erin = try await setup.record("erin", "engineering", first)
        let sam = try await setup.record("sam", "sre", first)
        #expect(try await setup.ledger.gate(release: Self.release).isOpen)

        let second = try await ReleaseFixtures.record(
            ReleaseFixtures.report(generatedAt: "2031-10-12T09:00:00Z"), in: setup)
        let decision = try await setup.ledger.gate(release: Self.release)
        #expect(!decision.isOpen)
        #expect(
            decision.missing == [
                "no approval by engineering of report \(second)", "no approval by sre of report \(second)",
            ])
        #expect(
            decision.ignored == [
                "erin's approve as engineering (record \(erin.sequence)): for an older report, \(first)",
                "sam's approve as sre (record \(sam.sequence)): for an older report, \(first)",
            ])
        #expect(decision.approvals.isEmpty)
    }

    @Test("a rejection stands until the same role approves a newer report; approving the same report does not clear it")
    func rejectionStands() async throws {
        let setup = try await ReleaseFixtures.setup()
        defer { setup.remove() }
        let first = try await ReleaseFixtures.record(ReleaseFixtures.report(), in: setup)
        try await setup.record("erin", "engineering", first)
        let rejection = try await setup.record("sam", "sre", first, decision: .reject, comment: "error budget spent")
        let stands =
            "sam rejected as sre (record \(rejection.sequence)): error budget spent; it stands until sre approves a newer report"
        #expect(
            try await setup.ledger.gate(release: Self.release).missing == [
                stands, "no approval by sre of report \(first)",
            ])

        // sam changes their mind about the same report: the rejection still stands.
        try await setup.record("sam", "sre", first)
        let same = try await setup.ledger.gate(release: Self.release)
        #expect(same.missing == [stands])
        #expect(!same.isOpen)

        // A newer report approved by engineering only: the sre rejection still stands.
        let second = try await ReleaseFixtures.record(
            ReleaseFixtures.report(generatedAt: "2031-10-12T09:00:00Z"), in: setup)
        try await setup.record("erin", "engineering", second)
        #expect(
            try await setup.ledger.gate(release: Self.release).missing == [
                stands, "no approval by sre of report \(second)",
            ])
        try await setup.record("sam", "sre", second)
        let cleared = try await setup.ledger.gate(release: Self.release)
        #expect(cleared.missing == [])
        #expect(cleared.isOpen)

        // A rejection of the latest report closes it again, even after that report's approvals.
        let again = try await setup.record("erin", "engineering", second, decision: .reject, comment: "")
        #expect(
            try await setup.ledger.gate(release: Self.release).missing == [
                "erin rejected as engineering (record \(again.sequence)); it stands until engineering approves a newer report"
            ])
    }

    @Test("a new key for a signer applies to what they sign next: their earlier approval and rejection stand")
    func keyRotation() async throws {
        let setup = try await ReleaseFixtures.setup()
        defer { setup.remove() }
        let digest = try await ReleaseFixtures.record(ReleaseFixtures.report(), in: setup)
        let erin = try await setup.record("erin", "engineering", digest)
        let rejection = try await setup.record("sam", "sre", digest, decision: .reject, comment: "error budget spent")
        for name in ["erin", "sam"] {
            let roles = try #require(ReleaseFixtures.signers.first { $0.name == name }).roles
            try await setup.ledger.addSigner(
                SignerRegistration.register(
                    name: name, roles: roles, key: SigningKey.generate(name: name).publicKey, admin: setup.admin))
        }
        let decision = try await setup.ledger.gate(release: Self.release)
        #expect(decision.approvals.map(\.sequence) == [erin.sequence])
        #expect(
            decision.missing == [
                "sam rejected as sre (record \(rejection.sequence)): error budget spent; it stands until sre approves a newer report",
                "no approval by sre of report \(digest)",
            ])
        #expect(decision.ignored == [])
        // The old key signs nothing new.
        await #expect(throws: SignOffRefusal.self) { try await setup.record("erin", "engineering", digest) }
        let verification = try await setup.store.verify(signatures: LedgerSignatures())
        guard case .intact = verification else {
            Issue.record("verify: \(verification)")
            return
        }
    }

    @Test("a waiver that has expired closes the gate, from the day after its expiry")
    func expiredWaiver() async throws {
        let setup = try await ReleaseFixtures.setup()
        defer { setup.remove() }
        let waiver = ReleaseFixtures.WaiverSpec(check: "checklist.load-testing", expires: "2031-12-01")
        let digest = try await ReleaseFixtures.record(ReleaseFixtures.report(waivers: [waiver]), in: setup)
        try await setup.record("erin", "engineering", digest)
        try await setup.record("sam", "sre", digest)
        func day(_ text: String) throws -> Date {
            try #require(ISO8601DateFormatter().date(from: text))
        }
        #expect(try await setup.ledger.gate(release: Self.release, now: day("2031-11-30T12:00:00Z")).isOpen)
        #expect(try await setup.ledger.gate(release: Self.release, now: day("2031-12-01T23:59:59Z")).isOpen)
        let expired = try await setup.ledger.gate(release: Self.release, now: day("2031-12-02T00:00:00Z"))
        #expect(!expired.isOpen)
        #expect(
            expired.missing == [
                "the waiver of checklist.load-testing approved by sre@example.com expired on 2031-12-01; renew it and run check again"
            ])
    }

    @Test("a NO-GO latest report keeps the gate closed, naming the verdict")
    func noGo() async throws {
        let setup = try await ReleaseFixtures.setup()
        defer { setup.remove() }
        let digest = try await ReleaseFixtures.record(ReleaseFixtures.report(go: false), in: setup)
        let decision = try await setup.ledger.gate(release: Self.release)
        let record = try #require(decision.report?.record)
        #expect(
            decision.missing == [
                "the latest report (\(digest), recorded \(LedgerTime.string(record.time))) is NO-GO",
                "no approval by engineering of report \(digest)", "no approval by sre of report \(digest)",
            ])
    }

    /// Sign-offs appended straight through the store, past ReleaseLedger's rules.
    enum Forgery: String, CaseIterable, Sendable {
        case badSignature = "a signature that does not verify"
        case unregisteredKey = "a key no signer holds"
        case roleNotHeld = "a role the signer does not hold"
        case author = "the author's own approval"
    }

    @Test(
        "a sign-off forged by hand is ignored by the gate, listed in ignored, and named by verify where its signature is the problem",
        arguments: Forgery.allCases)
    func forged(_ forgery: Forgery) async throws {
        let setup = try await ReleaseFixtures.setup()
        defer { setup.remove() }
        let digest = try await ReleaseFixtures.record(ReleaseFixtures.report(), in: setup)
        try await setup.record("sam", "sre", digest)
        let erin = try #require(setup.keys["erin"])
        let mallory = SigningKey.generate(name: "mallory")
        let signed: SignedSignOff
        switch forgery {
        case .badSignature:
            var copy = try setup.signOff("erin", "engineering", digest, comment: "looked fine")
            copy.signOff.comment = "looked fine, edited after signing"
            signed = copy
        case .unregisteredKey:
            signed = try SignOff(
                signer: "erin", role: "engineering", decision: .approve, comment: "", at: ReleaseFixtures.date,
                release: Self.release, reportDigest: digest
            ).signed(by: mallory)
        case .roleNotHeld:
            // erin signs as sre, which only sam holds; engineering is still needed.
            signed = try setup.signOff("erin", "sre", digest)
        case .author:
            signed = try setup.signOff("alice", "engineering", digest)
        }
        let record = try await setup.store.append(
            kind: .signoff, release: Self.release, payload: try LedgerJSON.payload(signed.signOff),
            signature: LedgerSignature(keyID: signed.keyID, bytes: try #require(Data(base64Encoded: signed.signature))))
        let who = "\(signed.signOff.signer)'s approve as \(signed.signOff.role) (record \(record.sequence))"
        let why: String
        switch forgery {
        case .badSignature:
            why =
                "erin's approve as engineering: the signature does not verify with erin's key \(erin.publicKey.shortKeyID)"
        case .unregisteredKey:
            why = "erin's sign-off is signed by key \(mallory.keyID.prefix(16)), which no registered signer holds"
        case .roleNotHeld: why = "erin's approve as sre: erin is registered for engineering, not sre"
        case .author: why = "the author may not approve their own release"
        }

        let decision = try await setup.ledger.gate(release: Self.release)
        #expect(!decision.isOpen)
        #expect(decision.missing == ["no approval by engineering of report \(digest)"])
        #expect(decision.ignored == ["\(who): \(why)"])
        #expect(decision.approvals.map(\.signed.signOff.signer) == ["sam"])

        let verification = try await setup.store.verify(signatures: LedgerSignatures())
        if forgery == .author {
            // Its signature is sound: only the gate's rule refuses it.
            #expect(verification == .intact(try await setup.store.head()))
        } else {
            #expect(
                verification == .broken(LedgerBreak(.forged, sequence: record.sequence, kind: .signoff, detail: why)))
        }
    }

    @Test(
        "verify with LedgerSignatures names a signer registration that the admin did not sign, and the gate's registry leaves it out"
    )
    func forgedRegistration() async throws {
        let setup = try await ReleaseFixtures.setup(signers: [("erin", ["engineering"])])
        defer { setup.remove() }
        let mallory = SigningKey.generate(name: "mallory")
        var registration = try SignerRegistration.register(
            name: "mallory", roles: ["sre"], key: mallory.publicKey, admin: mallory)
        registration.registeredBy = setup.admin.keyID
        registration.signature = try mallory.sign(registration.signedBytes()).base64EncodedString()
        let record = try await setup.store.append(
            kind: .signer, release: nil, payload: try LedgerJSON.payload(registration),
            signature: LedgerSignature(
                keyID: setup.admin.keyID, bytes: try #require(Data(base64Encoded: registration.signature ?? ""))))
        let (signatures, refused) = try await setup.ledger.registry()
        #expect(signatures.signers.keys.sorted() == ["erin"])
        #expect(refused == ["record \(record.sequence) (signer): its signature is refused"])
        #expect(
            try await setup.store.verify(signatures: LedgerSignatures())
                == .broken(
                    LedgerBreak(
                        .forged, sequence: record.sequence, kind: .signer,
                        detail:
                            "signer mallory's registration does not carry a valid signature of the admin key \(setup.admin.publicKey.shortKeyID)"
                    )))
    }
}
