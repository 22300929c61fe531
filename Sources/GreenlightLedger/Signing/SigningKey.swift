import Crypto
import Foundation

/// An Ed25519 key pair that signs sign-offs, signer registrations and attestations.
///
/// Its private file is text, created with mode 0600 and refused when group or others may read it:
/// ```
/// -----BEGIN GREENLIGHT ED25519 PRIVATE KEY-----
/// Name: alice
/// <base64 of the raw 32-byte private key>
/// -----END GREENLIGHT ED25519 PRIVATE KEY-----
/// ```
/// The private part never appears in a description, a debug description or a mirror.
public struct SigningKey: Sendable {
    /// The name given at `greenlight key new NAME`.
    public let name: String
    /// The public half.
    public let publicKey: PublicKey
    /// The raw 32 private bytes (kept as `Data`, which is `Sendable`, unlike swift-crypto's key type).
    private let privateBytes: Data

    /// A new random key pair.
    public static func generate(name: String) -> SigningKey {
        let key = Curve25519.Signing.PrivateKey()
        return SigningKey(name: name, privateKey: key)
    }

    private init(name: String, privateKey: Curve25519.Signing.PrivateKey) {
        self.name = name
        self.privateBytes = privateKey.rawRepresentation
        // 32 bytes from Curve25519 are always a valid public key.
        self.publicKey = try! PublicKey(name: name, rawRepresentation: privateKey.publicKey.rawRepresentation)
    }

    /// The key from its raw 32 private bytes.
    init(name: String, rawRepresentation: Data) throws {
        guard let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: rawRepresentation) else {
            throw KeyError("not an Ed25519 private key (\(rawRepresentation.count) bytes, 32 expected)")
        }
        self.init(name: name, privateKey: key)
    }

    /// The key's id (hex SHA-256 of the raw public key).
    public var keyID: String { publicKey.keyID }

    /// The Ed25519 signature of `bytes` (64 bytes).
    public func sign(_ bytes: Data) throws -> Data {
        try Curve25519.Signing.PrivateKey(rawRepresentation: privateBytes).signature(for: bytes)
    }

    /// Writes the private key (created with mode 0600) and the public key (0644); refuses to
    /// overwrite either file, and leaves neither when the second cannot be written.
    public func write(privateTo privatePath: String, publicTo publicPath: String) throws {
        let text = KeyFile.text(kind: .privateKey, name: name, bytes: privateBytes)
        try KeyFile.create(path: privatePath, mode: 0o600, contents: Data(text.utf8))
        do {
            try publicKey.write(to: publicPath)
        } catch {
            // A pair or nothing.
            unlink(privatePath)
            throw error
        }
    }

    /// Reads a private key file; refuses one that group or others may read, like ssh does.
    public static func read(path: String) throws -> SigningKey {
        let text = try KeyFile.readText(path: path, privateKey: true)
        let (name, bytes) = try KeyFile.parse(text, kind: .privateKey, path: path)
        do {
            return try SigningKey(name: name, rawRepresentation: bytes)
        } catch let error as KeyError {
            throw KeyError("\(path): \(error.description)")
        }
    }
}

extension SigningKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String { "\(name) (Ed25519 signing key, key id \(publicKey.shortKeyID))" }
    public var debugDescription: String { "SigningKey(\(description))" }
    public var customMirror: Mirror { Mirror(self, children: ["name": name, "keyID": keyID]) }
}
