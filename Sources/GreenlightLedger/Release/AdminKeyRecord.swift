import Foundation
import GreenlightJSON

/// The ledger's admin key, as its `admin-key` record holds it: written once by `greenlight ledger init`,
/// signed by itself. Every signer registration must carry this key's signature.
public struct AdminKeyRecord: Codable, Sendable, Hashable {
    public static let format = "greenlight-admin-key"

    public var format: String = AdminKeyRecord.format
    public var name: String
    /// Base64 of the raw Ed25519 public key.
    public var publicKey: String
    /// Hex SHA-256 of the raw public key.
    public var keyID: String

    enum CodingKeys: String, CodingKey {
        case keyID = "keyId"
        case format, name, publicKey
    }

    public init(_ key: PublicKey) {
        name = key.name
        publicKey = key.rawRepresentation.base64EncodedString()
        keyID = key.keyID
    }

    /// The public key the record holds; throws when it is not one or does not match its key id.
    public func key() throws -> PublicKey {
        guard format == Self.format else { throw SignatureError("not an admin key record (format '\(format)')") }
        guard let raw = Data(base64Encoded: publicKey) else {
            throw SignatureError("the admin key's public key is not base64")
        }
        let key = try PublicKey(name: name, rawRepresentation: raw)
        guard key.keyID == keyID else {
            throw SignatureError("the admin key's id \(keyID.prefix(16)) does not match its public key")
        }
        return key
    }
}

/// Codable values as record payloads and back, in the canonical JSON greenlight signs (snake_case keys).
enum LedgerJSON {
    static func payload<T: Encodable>(_ value: T) throws -> JSONValue {
        try JSONValue(parsing: CanonicalSigning.bytes(of: value))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ payload: JSONValue) throws -> T {
        try CanonicalSigning.decode(type, from: Data(payload.serialized().utf8))
    }
}
