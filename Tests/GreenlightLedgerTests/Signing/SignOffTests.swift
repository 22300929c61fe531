import Foundation
import Testing

@testable import GreenlightLedger

@Suite("Signed sign-offs")
struct SignOffTests {
    let admin = SigningKey.generate(name: "ledger-admin")

    @Test("a sign-off by a registered signer for a role they hold verifies")
    func valid() throws {
        let (key, registration) = try SigningFixtures.signer("alice", roles: ["engineering", "sre"], admin: admin)
        for decision in SignOff.Decision.allCases {
            let signed = try SigningFixtures.signOff(key, role: "sre", decision: decision)
            try signed.verify(
                against: registration, reportDigest: SigningFixtures.digest, release: SigningFixtures.release)
            #expect(signed.keyID == key.keyID)
        }
    }

    @Test("a signed sign-off and a registration read back from their JSON still verify")
    func storedForm() throws {
        let (key, registration) = try SigningFixtures.signer("alice", roles: ["sre"], admin: admin)
        let signed = try SigningFixtures.signOff(key, role: "sre")
        let readRegistration = try SignerRegistration.decode(registration.json())
        let readSignOff = try SignedSignOff.decode(signed.json())
        #expect(readRegistration == registration)
        #expect(readSignOff == signed)
        try readRegistration.verify(adminKey: admin.publicKey)
        try readSignOff.verify(against: readRegistration, reportDigest: SigningFixtures.digest)
        #expect(try SignOff.decode(signed.signOff.signedBytes()).signedBytes() == signed.signOff.signedBytes())
    }

    @Test("a role the signer does not hold is refused")
    func wrongRole() throws {
        let (key, registration) = try SigningFixtures.signer("alice", roles: ["engineering"], admin: admin)
        let signed = try SigningFixtures.signOff(key, role: "product")
        let error = #expect(throws: SignatureError.self) {
            try signed.verify(against: registration, reportDigest: SigningFixtures.digest)
        }
        #expect(error?.description.contains("registered for engineering, not product") == true)
    }

    @Test("a sign-off signed with a key other than the registered one is refused")
    func wrongKey() throws {
        let (_, registration) = try SigningFixtures.signer("alice", roles: ["sre"], admin: admin)
        let impostor = SigningKey.generate(name: "alice")
        let signed = try SigningFixtures.signOff(impostor, role: "sre")
        #expect(throws: SignatureError.self) {
            try signed.verify(against: registration, reportDigest: SigningFixtures.digest)
        }
        // Naming the registered key id over the impostor's signature does not help either.
        var relabelled = signed
        relabelled.keyID = registration.keyID
        let error = #expect(throws: SignatureError.self) {
            try relabelled.verify(against: registration, reportDigest: SigningFixtures.digest)
        }
        #expect(error?.description.contains("does not verify") == true)
    }

    @Test("a sign-off over another digest or another release is refused")
    func otherDigest() throws {
        let (key, registration) = try SigningFixtures.signer("alice", roles: ["sre"], admin: admin)
        let stale = try SigningFixtures.signOff(key, role: "sre", digest: SigningFixtures.otherDigest)
        let error = #expect(throws: SignatureError.self) {
            try stale.verify(against: registration, reportDigest: SigningFixtures.digest)
        }
        #expect(error?.description.contains(SigningFixtures.otherDigest) == true)

        let otherRelease = try SigningFixtures.signOff(key, role: "sre", release: "checkout@2.13.0")
        #expect(throws: SignatureError.self) {
            try otherRelease.verify(
                against: registration, reportDigest: SigningFixtures.digest, release: SigningFixtures.release)
        }
    }

    @Test("a sign-off edited after signing is refused")
    func edited() throws {
        let (key, registration) = try SigningFixtures.signer("alice", roles: ["sre", "product"], admin: admin)
        let signed = try SigningFixtures.signOff(key, role: "sre", decision: .reject)
        var flipped = signed
        flipped.signOff.decision = .approve
        #expect(throws: SignatureError.self) {
            try flipped.verify(against: registration, reportDigest: SigningFixtures.digest)
        }
        var otherRole = signed
        otherRole.signOff.role = "product"
        #expect(throws: SignatureError.self) {
            try otherRole.verify(against: registration, reportDigest: SigningFixtures.digest)
        }
        var comment = signed
        comment.signOff.comment += "!"
        #expect(throws: SignatureError.self) {
            try comment.verify(against: registration, reportDigest: SigningFixtures.digest)
        }
    }
}
