import Foundation
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightCore
@testable import GreenlightLedger

@Suite("in-toto attestations in DSSE envelopes")
struct AttestationTests {
    static let artifact = "sha256:" + String(repeating: "0f", count: 32)
    let admin = SigningKey.generate(name: "ledger-admin")
    let ci = SigningKey.generate(name: "ci")

    /// The statement for the fixture report with approvals by engineering and sre.
    func statement() throws -> InTotoStatement {
        let report = SigningFixtures.report()
        let digest = try #require(report.digest)
        let (alice, aliceRegistration) = try SigningFixtures.signer("alice", roles: ["engineering"], admin: admin)
        let (sam, samRegistration) = try SigningFixtures.signer("sam", roles: ["sre"], admin: admin)
        return try Attestation.statement(
            artifactName: "checkout-2.14.0.tar.gz", artifactDigest: Self.artifact, report: report,
            approvals: [
                (try SigningFixtures.signOff(alice, role: "engineering", digest: digest), aliceRegistration),
                (try SigningFixtures.signOff(sam, role: "sre", digest: digest), samRegistration),
            ])
    }

    @Test("the statement holds the subject, the predicate type and the report's digest, verdict and risk class")
    func statementFields() throws {
        let statement = try statement()
        let json = try JSONValue(parsing: statement.json())
        #expect(json["_type"] == .string("https://in-toto.io/Statement/v1"))
        #expect(json["predicateType"] == .string("https://greenlight.dev/release-readiness/v1"))
        #expect(
            json["subject"]
                == .array([
                    .object([
                        ("digest", .object([("sha256", .string(String(repeating: "0f", count: 32)))])),
                        ("name", .string("checkout-2.14.0.tar.gz")),
                    ])
                ]))
        let predicate = try #require(json["predicate"])
        #expect(predicate["reportDigest"] == .string(SigningFixtures.report().digest!))
        #expect(predicate["verdict"] == .string("GO"))
        #expect(predicate["riskClass"] == .string(SigningFixtures.report().risk.riskClass))
        #expect(predicate["release"] == .string("checkout@2.14.0"))
        guard case .array(let approvals) = predicate["approvals"] else {
            Issue.record("no approvals")
            return
        }
        #expect(approvals.map { $0["role"] } == [.string("engineering"), .string("sre")])
    }

    @Test("an envelope verifies with the key that signed it and returns the statement")
    func roundTrip() throws {
        let statement = try statement()
        let data = try Attestation.json(Attestation.envelope(statement, signedWith: ci))
        #expect(try Attestation.verify(envelope: data, key: ci.publicKey, artifactDigest: Self.artifact) == statement)
    }

    @Test("another key, another artifact or a changed payload is refused")
    func refused() throws {
        let envelope = try Attestation.envelope(statement(), signedWith: ci)
        let data = try Attestation.json(envelope)
        #expect(throws: AttestationError.self) {
            try Attestation.verify(envelope: data, key: self.admin.publicKey)
        }
        let error = #expect(throws: AttestationError.self) {
            try Attestation.verify(
                envelope: data, key: self.ci.publicKey, artifactDigest: "sha256:" + String(repeating: "1e", count: 32))
        }
        #expect(error?.description.contains("no subject") == true)

        var changed = envelope
        var statement = try statement()
        statement.predicate.verdict = "NO-GO"
        changed.payload = try statement.json().base64EncodedString()
        #expect(throws: AttestationError.self) {
            try Attestation.verify(envelope: Attestation.json(changed), key: self.ci.publicKey)
        }
    }

    @Test("an approval over another digest is refused when the statement is made")
    func staleApproval() throws {
        let report = SigningFixtures.report()
        let (sam, registration) = try SigningFixtures.signer("sam", roles: ["sre"], admin: admin)
        let stale = try SigningFixtures.signOff(sam, role: "sre", digest: SigningFixtures.otherDigest)
        #expect(throws: SignatureError.self) {
            try Attestation.statement(
                artifactName: "checkout", artifactDigest: Self.artifact, report: report,
                approvals: [(stale, registration)])
        }
        #expect(throws: AttestationError.self) {
            try Attestation.statement(
                artifactName: "checkout", artifactDigest: "sha256:XYZ", report: report, approvals: [])
        }
    }

    @Test("a tampered approval inside a validly signed envelope is refused")
    func tamperedApproval() throws {
        var statement = try statement()
        statement.predicate.approvals[1].role = "product"
        let data = try Attestation.json(Attestation.envelope(statement, signedWith: ci))
        let error = #expect(throws: AttestationError.self) {
            try Attestation.verify(envelope: data, key: self.ci.publicKey)
        }
        #expect(error?.description.contains("sam") == true)
    }

    @Test("an independent reader (Python: in-toto-attestation and cryptography) accepts the envelope")
    func independentReader() async throws {
        try await withTemporaryFolder { folder in
            let data = try Attestation.json(Attestation.envelope(statement(), signedWith: ci))
            let path = folder.appending("attestation.json")
            try data.write(to: path)
            let output = try await ChildProcess.run(
                "/usr/bin/env",
                [
                    "python3", "-c", InTotoReader.script, path.path,
                    ci.publicKey.rawRepresentation.base64EncodedString(),
                    String(repeating: "0f", count: 32), ReleaseReadinessPredicate.type,
                ])
            #expect(output.contains("verified: 1 envelope signature, 2 approvals"))

            // The reader is not a rubber stamp: a payload changed under the same signature fails it.
            var envelope = try JSONDecoder().decode(DSSEEnvelope.self, from: data)
            var changed = try statement()
            changed.predicate.verdict = "NO-GO"
            envelope.payload = try changed.json().base64EncodedString()
            let tampered = folder.appending("tampered.json")
            try Attestation.json(envelope).write(to: tampered)
            await #expect(throws: CommandFailure.self) {
                try await ChildProcess.run(
                    "/usr/bin/env",
                    [
                        "python3", "-c", InTotoReader.script, tampered.path,
                        self.ci.publicKey.rawRepresentation.base64EncodedString(),
                        String(repeating: "0f", count: 32), ReleaseReadinessPredicate.type,
                    ])
            }
        }
    }
}
