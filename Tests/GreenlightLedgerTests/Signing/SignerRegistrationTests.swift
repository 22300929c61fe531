import Foundation
import Testing

@testable import GreenlightLedger

@Suite("Signer registrations")
struct SignerRegistrationTests {
    let admin = SigningKey.generate(name: "ledger-admin")

    @Test("a registration signed by the admin key verifies with it")
    func signedByAdmin() throws {
        let (key, registration) = try SigningFixtures.signer("alice", roles: ["engineering", "sre"], admin: admin)
        try registration.verify(adminKey: admin.publicKey)
        #expect(registration.keyID == key.keyID)
        #expect(registration.registeredBy == admin.keyID)
        #expect(registration.registeredAt == "2031-10-17T10:40:00Z")
        #expect(try registration.key() == key.publicKey)
    }

    @Test("a registration signed by another key is refused, naming both keys")
    func otherKey() throws {
        let intruder = SigningKey.generate(name: "intruder")
        let (_, registration) = try SigningFixtures.signer("mallory", roles: ["sre"], admin: intruder)
        let error = #expect(throws: SignatureError.self) { try registration.verify(adminKey: self.admin.publicKey) }
        #expect(error?.description.contains(admin.publicKey.shortKeyID) == true)
        #expect(error?.description.contains(String(intruder.keyID.prefix(16))) == true)

        // Claiming the admin's key id does not help: the signature is still the intruder's.
        var forged = registration
        forged.registeredBy = admin.keyID
        forged.signature = try intruder.sign(forged.signedBytes()).base64EncodedString()
        let forgedError = #expect(throws: SignatureError.self) { try forged.verify(adminKey: self.admin.publicKey) }
        #expect(forgedError?.description.contains("valid signature") == true)
    }

    @Test("a registration edited after signing is refused")
    func edited() throws {
        let (_, registration) = try SigningFixtures.signer("bob", roles: ["product"], admin: admin)
        var moreRoles = registration
        moreRoles.roles.append("sre")
        #expect(throws: SignatureError.self) { try moreRoles.verify(adminKey: self.admin.publicKey) }

        var otherKey = registration
        let key = SigningKey.generate(name: "bob").publicKey
        otherKey.publicKey = key.rawRepresentation.base64EncodedString()
        otherKey.keyID = key.keyID
        #expect(throws: SignatureError.self) { try otherKey.verify(adminKey: self.admin.publicKey) }

        var unsigned = registration
        unsigned.signature = nil
        #expect(throws: SignatureError.self) { try unsigned.verify(adminKey: self.admin.publicKey) }
    }

    @Test("what the admin signs is the canonical JSON: sorted snake_case keys, no signature")
    func canonicalBytes() throws {
        let (key, registration) = try SigningFixtures.signer("carol", roles: ["sre"], admin: admin)
        let text = String(decoding: try registration.signedBytes(), as: UTF8.self)
        #expect(
            text
                == #"{"format":"greenlight-signer-registration","key_id":"\#(key.keyID)","name":"carol","public_key":"\#(key.publicKey.rawRepresentation.base64EncodedString())","registered_at":"2031-10-17T10:40:00Z","registered_by":"\#(admin.keyID)","roles":["sre"]}"#
        )
    }
}
