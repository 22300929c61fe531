import Foundation
import GreenlightCore

/// Writes and checks the in-toto attestation of a release's readiness, wrapped in a DSSE envelope.
public enum Attestation {
    /// An in-toto statement about the artifact `artifactDigest` (`sha256:HEX`), holding the report's
    /// digest, verdict and risk class and the sign-offs given for it; the sign-offs must be for that
    /// report, and each must come with its signer's registration.
    public static func statement(
        artifactName: String, artifactDigest: String, report: Report,
        approvals: [(signOff: SignedSignOff, registration: SignerRegistration)]
    ) throws -> InTotoStatement {
        let hex = try sha256Hex(artifactDigest)
        let digest = report.digest ?? report.computeDigest()
        let release = "\(report.release.service)@\(report.release.version)"
        let entries = try approvals.map { signed, registration in
            try signed.verify(against: registration, reportDigest: digest, release: release)
            return ReleaseReadinessPredicate.Approval(
                signer: signed.signOff.signer, role: signed.signOff.role, decision: signed.signOff.decision.rawValue,
                signedAt: signed.signOff.signedAt, keyid: signed.keyID, publicKey: registration.publicKey,
                signedPayload: try signed.signOff.signedBytes().base64EncodedString(), sig: signed.signature)
        }
        return InTotoStatement(
            subject: [InTotoStatement.Subject(name: artifactName, digest: ["sha256": hex])],
            predicate: ReleaseReadinessPredicate(
                release: release, reportDigest: digest, verdict: report.verdict.decision.rawValue,
                riskClass: report.risk.riskClass, approvals: entries))
    }

    /// The statement as a DSSE envelope signed with `key`.
    public static func envelope(_ statement: InTotoStatement, signedWith key: SigningKey) throws -> DSSEEnvelope {
        try DSSEEnvelope.sign(body: statement.json(), payloadType: InTotoStatement.payloadType, with: key)
    }

    /// The envelope's JSON as written to `--attest FILE`.
    public static func json(_ envelope: DSSEEnvelope) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return try encoder.encode(envelope)
    }

    /// Checks an envelope: the signature by `key` over the PAE, the payload type, the statement's type,
    /// subjects and predicate type, each approval's signature over its signed bytes, and, when given,
    /// that a subject is `artifactDigest`. Returns the statement decoded from the verified bytes.
    public static func verify(envelope data: Data, key: PublicKey, artifactDigest: String? = nil) throws
        -> InTotoStatement
    {
        let envelope: DSSEEnvelope
        do {
            envelope = try JSONDecoder().decode(DSSEEnvelope.self, from: data)
        } catch {
            throw AttestationError("not a DSSE envelope: \(error)")
        }
        let body = try envelope.verifiedBody(with: key)
        guard envelope.payloadType == InTotoStatement.payloadType else {
            throw AttestationError(
                "the envelope's payload type is '\(envelope.payloadType)', not '\(InTotoStatement.payloadType)'")
        }
        let statement: InTotoStatement
        do {
            statement = try JSONDecoder().decode(InTotoStatement.self, from: body)
        } catch {
            throw AttestationError("the payload is not a greenlight in-toto statement: \(error)")
        }
        guard statement.type == InTotoStatement.type else {
            throw AttestationError("the statement's _type is '\(statement.type)', not '\(InTotoStatement.type)'")
        }
        guard statement.predicateType == ReleaseReadinessPredicate.type else {
            throw AttestationError(
                "the statement's predicateType is '\(statement.predicateType)', not '\(ReleaseReadinessPredicate.type)'"
            )
        }
        guard !statement.subject.isEmpty else { throw AttestationError("the statement has no subject") }
        for subject in statement.subject {
            guard let hex = subject.digest["sha256"], isSHA256Hex(hex) else {
                throw AttestationError("subject '\(subject.name)' has no sha256 digest of 64 lowercase hex digits")
            }
        }
        if let artifactDigest {
            let hex = try sha256Hex(artifactDigest)
            guard statement.subject.contains(where: { $0.digest["sha256"] == hex }) else {
                throw AttestationError("no subject of the statement is \(artifactDigest)")
            }
        }
        for approval in statement.predicate.approvals {
            try verify(approval, reportDigest: statement.predicate.reportDigest)
        }
        return statement
    }

    private static func verify(_ approval: ReleaseReadinessPredicate.Approval, reportDigest: String) throws {
        let who = "\(approval.signer)'s \(approval.decision) as \(approval.role)"
        guard let raw = Data(base64Encoded: approval.publicKey),
            let payload = Data(base64Encoded: approval.signedPayload),
            let sig = Data(base64Encoded: approval.sig)
        else { throw AttestationError("\(who): a field is not base64") }
        let key = try PublicKey(name: approval.signer, rawRepresentation: raw)
        guard key.keyID == approval.keyid else {
            throw AttestationError("\(who): key id \(approval.keyid.prefix(16)) does not match its public key")
        }
        guard key.verify(sig, for: payload) else { throw AttestationError("\(who): the signature does not verify") }
        let signOff = try SignOff.decode(payload)
        guard signOff.signer == approval.signer, signOff.role == approval.role,
            signOff.decision.rawValue == approval.decision, signOff.signedAt == approval.signedAt,
            signOff.reportDigest == reportDigest
        else {
            throw AttestationError("\(who): the signed sign-off does not match the approval or the report digest")
        }
    }

    /// The hex of `sha256:HEX`.
    static func sha256Hex(_ digest: String) throws -> String {
        let hex = digest.hasPrefix("sha256:") ? String(digest.dropFirst("sha256:".count)) : ""
        guard isSHA256Hex(hex) else {
            throw AttestationError("artifact digest '\(digest)' is not sha256: followed by 64 lowercase hex digits")
        }
        return hex
    }

    static func isSHA256Hex(_ hex: String) -> Bool {
        hex.utf8.count == 64 && hex.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }
}
