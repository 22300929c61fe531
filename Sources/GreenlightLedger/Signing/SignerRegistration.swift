import Foundation

/// Who may sign for which roles: a signer's public key, registered and signed by the ledger's admin key.
///
/// The admin signs the canonical JSON of the registration without its ``signature``
/// (`CanonicalSigning`), so that no field can change unnoticed.
public struct SignerRegistration: Codable, Sendable, Hashable {
    public static let format = "greenlight-signer-registration"

    /// Sets what is signed apart from a sign-off's or another record's bytes.
    public var format: String = SignerRegistration.format
    public var name: String
    /// The roles the signer may sign for, such as engineering, product, sre.
    public var roles: [String]
    /// Base64 of the signer's raw Ed25519 public key.
    public var publicKey: String
    /// Hex SHA-256 of the raw public key.
    public var keyID: String
    /// ISO 8601, UTC.
    public var registeredAt: String
    /// The key id of the admin key that signed the registration.
    public var registeredBy: String
    /// Base64 of the admin's Ed25519 signature over ``signedBytes()``; nil before signing.
    public var signature: String?

    enum CodingKeys: String, CodingKey {
        // `keyId`, so that snake_case gives `key_id` and reads it back.
        case keyID = "keyId"
        case format, name, roles, publicKey, registeredAt, registeredBy, signature
    }

    /// A registration of `key` for `roles`, signed by `admin`.
    public static func register(
        name: String, roles: [String], key: PublicKey, at date: Date = Date(), admin: SigningKey
    ) throws -> SignerRegistration {
        var registration = SignerRegistration(
            name: name, roles: roles, publicKey: key.rawRepresentation.base64EncodedString(), keyID: key.keyID,
            registeredAt: CanonicalSigning.utc(date), registeredBy: admin.keyID)
        registration.signature = try admin.sign(registration.signedBytes()).base64EncodedString()
        return registration
    }

    /// The bytes the admin signs: the canonical JSON without the signature.
    public func signedBytes() throws -> Data {
        var copy = self
        copy.signature = nil
        return try CanonicalSigning.bytes(of: copy)
    }

    /// The registration, signature included, as canonical JSON (snake_case, sorted keys), for storing.
    public func json() throws -> Data { try CanonicalSigning.bytes(of: self) }

    /// A registration from ``json()``.
    public static func decode(_ data: Data) throws -> SignerRegistration {
        try CanonicalSigning.decode(SignerRegistration.self, from: data)
    }

    /// The signer's public key.
    public func key() throws -> PublicKey {
        guard let raw = Data(base64Encoded: publicKey) else {
            throw SignatureError("signer \(name)'s public key is not base64")
        }
        return try PublicKey(name: name, rawRepresentation: raw)
    }

    /// Throws unless `adminKey` signed this registration and its key id matches its public key.
    public func verify(adminKey: PublicKey) throws {
        guard format == Self.format else {
            throw SignatureError("signer \(name): not a signer registration (format '\(format)')")
        }
        guard try key().keyID == keyID else {
            throw SignatureError("signer \(name): key id \(keyID.prefix(16)) does not match the registered public key")
        }
        guard registeredBy == adminKey.keyID else {
            throw SignatureError(
                "signer \(name) was registered by key \(registeredBy.prefix(16)), not by the ledger's admin key \(adminKey.shortKeyID)"
            )
        }
        guard let signature, let bytes = Data(base64Encoded: signature) else {
            throw SignatureError("signer \(name)'s registration is not signed")
        }
        guard adminKey.verify(bytes, for: try signedBytes()) else {
            throw SignatureError(
                "signer \(name)'s registration does not carry a valid signature of the admin key \(adminKey.shortKeyID)"
            )
        }
    }

    private init(
        name: String, roles: [String], publicKey: String, keyID: String, registeredAt: String, registeredBy: String
    ) {
        self.name = name
        self.roles = roles
        self.publicKey = publicKey
        self.keyID = keyID
        self.registeredAt = registeredAt
        self.registeredBy = registeredBy
    }
}
