import Foundation
import GreenlightCanary
import GreenlightJSON
import NIOHTTP1
import Testing

@testable import GreenlightLedger

/// Tokens and roles: 401 without a token or with a wrong, revoked or expired one; 403 for the wrong
/// role; the health check open to all.
@Suite("The team server's tokens and roles")
struct ServerAuthTests {
    @Test("401 without a token, with a malformed header, a wrong token, a revoked one and an expired one")
    func unauthorized() async throws {
        let setup = try await ServerSetup.start()
        defer { Task { await setup.stop() } }
        let none = try await setup.call(.GET, "/api/v1/releases", token: nil)
        #expect(none.status == 401)
        #expect(none.header("WWW-Authenticate") == #"Bearer realm="greenlight""#)
        #expect(none.header("Content-Type") == "application/problem+json")
        #expect(none.detail.contains("needs a token"))

        let basic = try await setup.call(.GET, "/api/v1/signers", token: "glt_" + String(repeating: "A", count: 43))
        #expect(basic.status == 401)
        #expect(basic.detail.contains("unknown, revoked or expired"))

        let sam = try #require(setup.tokens["sam"])
        #expect(try await setup.call(.GET, "/api/v1/signers", token: sam).status == 200)
        // One character changed is another token.
        let altered = String(sam.dropLast()) + (sam.last == "A" ? "B" : "A")
        #expect(try await setup.call(.GET, "/api/v1/signers", token: altered).status == 401)

        // Revoked: refused from the next call.
        let id = try #require(try await setup.ledger.tokens().byHash[AccessToken.digest(of: sam)]?.id)
        try await setup.ledger.revokeToken(id: id, admin: setup.admin)
        #expect(try await setup.call(.GET, "/api/v1/signers", token: sam).status == 401)

        // Expired.
        let short = try await setup.ledger.issueToken(
            signer: "erin", admin: setup.admin, expires: Date().addingTimeInterval(-1)
        ).text
        #expect(try await setup.call(.GET, "/api/v1/signers", token: short).status == 401)

        // Open to all.
        let health = try await setup.call(.GET, "/healthz", token: nil)
        #expect(health.status == 200)
        #expect(health.json?["status"] == .string("ok"))
    }

    @Test("a token record not signed by the admin key, appended by hand, is no token")
    func forgedToken() async throws {
        let setup = try await ServerSetup.start()
        defer { Task { await setup.stop() } }
        let (text, token) = AccessToken.issue(signer: "sam", expires: nil)
        let sam = try #require(setup.keys["sam"])
        let payload = try JSONValue(parsing: CanonicalSigning.bytes(of: token))
        let content = LedgerRecord.signedContent(kind: .token, release: nil, payload: payload)
        // Signed by a registered signer, not by the admin.
        try await setup.ledger.store.append(
            kind: .token, release: nil, payload: payload,
            signature: LedgerSignature(keyID: sam.keyID, bytes: try sam.sign(content)))
        #expect(try await setup.call(.GET, "/api/v1/signers", token: text).status == 401)
        // And the API will not take one either.
        let sent = try await setup.call(
            .POST, "/api/v1/ledger/records", token: setup.tokens["sam"],
            json: .object([("kind", .string("token")), ("payload", .string(payload.canonicalSerialized()))]))
        #expect(sent.status == 403, "\(sent.text)")
    }

    @Test("403 for a role that may not: product kills no flag and approves no rollout step; sre may")
    func forbidden() async throws {
        let setup = try await ServerSetup.start()
        defer { Task { await setup.stop() } }
        let flags = FlagStore(ledger: setup.ledger.store)
        try await flags.set(
            FeatureFlag(key: "new-checkout", variants: ["on": .bool(true), "off": .bool(false)], defaultVariant: "on"),
            by: "test")
        let product = try await setup.call(.POST, "/api/v1/flags/new-checkout/kill", token: setup.tokens["pat"])
        #expect(product.status == 403, "\(product.text)")
        #expect(product.detail.contains("needs the role"))
        #expect(try await flags.refresh()["new-checkout"]?.killed == false)

        let approval = try await setup.call(
            .POST, "/api/v1/releases/checkout@2.14.0/rollout/approvals", token: setup.tokens["pat"],
            json: .object([("decision", .string("approve"))]))
        #expect(approval.status == 403)

        let sre = try await setup.call(
            .POST, "/api/v1/flags/new-checkout/kill", token: setup.tokens["sam"],
            json: .object([("reason", .string("error rate"))]))
        #expect(sre.status == 200, "\(sre.text)")
        #expect(sre.json?["killed"] == .bool(true))
        #expect(sre.json?["changed_by"] == .string("sam"))
        #expect(try await flags.refresh()["new-checkout"]?.killed == true)

        // Without a body too (the reason is optional).
        let revived = try await setup.call(.POST, "/api/v1/flags/new-checkout/revive", token: setup.tokens["sam"])
        #expect(revived.status == 200, "\(revived.text)")
        #expect(revived.json?["killed"] == .bool(false))
        #expect(try await setup.call(.POST, "/api/v1/flags/nope/kill", token: setup.tokens["sam"]).status == 404)
    }
}
