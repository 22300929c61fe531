import Foundation

/// An in-toto Statement v1 whose predicate is greenlight's release-readiness predicate.
///
/// ```json
/// {"_type": "https://in-toto.io/Statement/v1",
///  "subject": [{"name": "shop.tar.gz", "digest": {"sha256": "<hex>"}}],
///  "predicateType": "https://greenlight.dev/release-readiness/v1",
///  "predicate": {...}}
/// ```
public struct InTotoStatement: Codable, Sendable, Hashable {
    public static let type = "https://in-toto.io/Statement/v1"
    /// The DSSE payload type of an in-toto statement.
    public static let payloadType = "application/vnd.in-toto+json"

    public var type: String = InTotoStatement.type
    public var subject: [Subject]
    public var predicateType: String = ReleaseReadinessPredicate.type
    public var predicate: ReleaseReadinessPredicate

    enum CodingKeys: String, CodingKey {
        case type = "_type"
        case subject, predicateType, predicate
    }

    /// An artifact the statement is about, named by its digest.
    public struct Subject: Codable, Sendable, Hashable {
        public var name: String
        /// Algorithm to lowercase hex, such as `["sha256": "ab12…"]`.
        public var digest: [String: String]
    }

    /// The statement's JSON: sorted keys, no whitespace, camelCase as in-toto spells it.
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(self)
    }
}

/// greenlight's predicate, type `https://greenlight.dev/release-readiness/v1`: the readiness report a
/// release was judged on and the sign-offs given for it (documented in docs/attestation.md).
public struct ReleaseReadinessPredicate: Codable, Sendable, Hashable {
    public static let type = "https://greenlight.dev/release-readiness/v1"

    /// `service@version`.
    public var release: String
    /// The `sha256:` digest of the readiness report.
    public var reportDigest: String
    /// `GO` or `NO-GO`.
    public var verdict: String
    /// The risk class of the report's risk assessment.
    public var riskClass: String
    public var approvals: [Approval]

    /// One signed sign-off: its fields, and the exact signed bytes with the signer's key and signature,
    /// so that a verifier can check it without greenlight.
    public struct Approval: Codable, Sendable, Hashable {
        public var signer: String
        public var role: String
        public var decision: String
        public var signedAt: String
        /// Hex SHA-256 of the signer's raw Ed25519 public key.
        public var keyid: String
        /// Base64 of the signer's raw Ed25519 public key.
        public var publicKey: String
        /// Base64 of the bytes signed (the sign-off's canonical JSON).
        public var signedPayload: String
        /// Base64 of the Ed25519 signature over `signedPayload`.
        public var sig: String
    }
}
