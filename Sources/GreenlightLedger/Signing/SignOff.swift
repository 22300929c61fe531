import Foundation

/// One person's approval or rejection of a release's readiness report, before it is signed.
public struct SignOff: Codable, Sendable, Hashable {
    public static let format = "greenlight-signoff"

    public enum Decision: String, Codable, Sendable, CaseIterable {
        case approve
        case reject
    }

    /// Sets what is signed apart from a registration's or another record's bytes.
    public var format: String = SignOff.format
    /// The registered signer's name.
    public var signer: String
    public var role: String
    public var decision: Decision
    public var comment: String
    /// ISO 8601, UTC.
    public var signedAt: String
    /// `service@version`.
    public var release: String
    /// The `sha256:` digest of the readiness report signed for.
    public var reportDigest: String

    public init(
        signer: String, role: String, decision: Decision, comment: String, at date: Date = Date(), release: String,
        reportDigest: String
    ) {
        self.signer = signer
        self.role = role
        self.decision = decision
        self.comment = comment
        self.signedAt = CanonicalSigning.utc(date)
        self.release = release
        self.reportDigest = reportDigest
    }

    /// The bytes a signer signs: the canonical JSON of the sign-off.
    public func signedBytes() throws -> Data { try CanonicalSigning.bytes(of: self) }

    /// A sign-off from its canonical JSON (``signedBytes()``), as a ledger record or an attestation holds it.
    public static func decode(_ data: Data) throws -> SignOff {
        try CanonicalSigning.decode(SignOff.self, from: data)
    }

    /// The sign-off with `key`'s signature over ``signedBytes()``.
    public func signed(by key: SigningKey) throws -> SignedSignOff {
        SignedSignOff(signOff: self, keyID: key.keyID, signature: try key.sign(signedBytes()).base64EncodedString())
    }
}

/// A sign-off with its signer's Ed25519 signature.
public struct SignedSignOff: Codable, Sendable, Hashable {
    public var signOff: SignOff
    /// The key id of the key that signed.
    public var keyID: String
    /// Base64 of the signature over `signOff.signedBytes()`.
    public var signature: String

    enum CodingKeys: String, CodingKey {
        // `keyId`, so that snake_case gives `key_id` and reads it back.
        case keyID = "keyId"
        case signOff, signature
    }

    /// The signed sign-off as canonical JSON (snake_case, sorted keys), for storing.
    public func json() throws -> Data { try CanonicalSigning.bytes(of: self) }

    /// A signed sign-off from ``json()``.
    public static func decode(_ data: Data) throws -> SignedSignOff {
        try CanonicalSigning.decode(SignedSignOff.self, from: data)
    }

    /// Throws unless the sign-off is for `reportDigest` (and `release`, when given), the registration
    /// names its signer, holds its role and its key, and the signature is that key's.
    public func verify(against registration: SignerRegistration, reportDigest: String, release: String? = nil) throws {
        let who = "\(signOff.signer)'s \(signOff.decision.rawValue) as \(signOff.role)"
        guard signOff.format == SignOff.format else {
            throw SignatureError("\(who): not a sign-off (format '\(signOff.format)')")
        }
        guard signOff.reportDigest == reportDigest else {
            throw SignatureError("\(who) is for report \(signOff.reportDigest), not \(reportDigest)")
        }
        if let release, signOff.release != release {
            throw SignatureError("\(who) is for release \(signOff.release), not \(release)")
        }
        guard registration.name == signOff.signer else {
            throw SignatureError("\(who): the registration is for signer \(registration.name)")
        }
        guard registration.roles.contains(signOff.role) else {
            throw SignatureError(
                "\(who): \(registration.name) is registered for \(registration.roles.joined(separator: ", ")), not \(signOff.role)"
            )
        }
        let key = try registration.key()
        guard keyID == key.keyID else {
            throw SignatureError(
                "\(who) was signed with key \(keyID.prefix(16)), not \(registration.name)'s registered key \(key.shortKeyID)"
            )
        }
        guard let bytes = Data(base64Encoded: signature), key.verify(bytes, for: try signOff.signedBytes()) else {
            throw SignatureError(
                "\(who): the signature does not verify with \(registration.name)'s key \(key.shortKeyID)")
        }
    }
}
