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
                    "python3", "-c", Self.pythonReader, path.path, ci.publicKey.rawRepresentation.base64EncodedString(),
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
                        "python3", "-c", Self.pythonReader, tampered.path,
                        self.ci.publicKey.rawRepresentation.base64EncodedString(),
                        String(repeating: "0f", count: 32), ReleaseReadinessPredicate.type,
                    ])
            }
        }
    }

    /// Reads a DSSE envelope as another tool would: recomputes the PAE, checks the Ed25519 signature
    /// with `cryptography`, parses and validates the statement with in-toto's own Python bindings
    /// (`in_toto_attestation`), and checks each approval's signature. Arguments: envelope file, base64
    /// public key, subject sha256 hex, predicate type.
    static let pythonReader = #"""
        import base64, json, sys
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
        from google.protobuf import json_format
        from in_toto_attestation.v1 import statement_pb2
        from in_toto_attestation.v1.statement import Statement

        path, public_key, subject_hex, predicate_type = sys.argv[1:5]
        envelope = json.load(open(path))
        assert envelope["payloadType"] == "application/vnd.in-toto+json", envelope["payloadType"]
        body = base64.b64decode(envelope["payload"])
        kind = envelope["payloadType"].encode()
        pae = b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(body), body)
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key))
        assert len(envelope["signatures"]) == 1
        for signature in envelope["signatures"]:
            key.verify(base64.b64decode(signature["sig"]), pae)

        statement = Statement.copy_from_pb(json_format.Parse(body, statement_pb2.Statement()))
        statement.validate()
        parsed = json.loads(body)
        assert parsed["_type"] == "https://in-toto.io/Statement/v1"
        assert [s["digest"]["sha256"] for s in parsed["subject"]] == [subject_hex], parsed["subject"]
        assert parsed["predicateType"] == predicate_type
        predicate = parsed["predicate"]
        for approval in predicate["approvals"]:
            signed = base64.b64decode(approval["signedPayload"])
            Ed25519PublicKey.from_public_bytes(base64.b64decode(approval["publicKey"])).verify(
                base64.b64decode(approval["sig"]), signed)
            sign_off = json.loads(signed)
            assert sign_off["report_digest"] == predicate["reportDigest"]
            assert sign_off["role"] == approval["role"] and sign_off["signer"] == approval["signer"]
        print("verified: %d envelope signature, %d approvals" % (len(envelope["signatures"]), len(predicate["approvals"])))
        """#
}
