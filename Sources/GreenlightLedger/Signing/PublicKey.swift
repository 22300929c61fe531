import Crypto
import Foundation

/// An Ed25519 public key with the name it was made for.
///
/// Its file is text:
/// ```
/// -----BEGIN GREENLIGHT ED25519 PUBLIC KEY-----
/// Name: alice
/// <base64 of the raw 32-byte key>
/// -----END GREENLIGHT ED25519 PUBLIC KEY-----
/// ```
public struct PublicKey: Sendable, Hashable {
    /// The name given at `greenlight key new NAME`.
    public let name: String
    /// The raw 32 bytes of the key.
    public let rawRepresentation: Data

    /// Hex SHA-256 of the raw key: how signatures and registrations name it.
    public var keyID: String { KeyID.of(rawRepresentation) }
    /// The first 16 hex characters of ``keyID``, for display.
    public var shortKeyID: String { String(keyID.prefix(16)) }

    /// The key from its raw 32 bytes; throws when they are not an Ed25519 public key.
    public init(name: String, rawRepresentation: Data) throws {
        do {
            _ = try Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation)
        } catch {
            throw KeyError("not an Ed25519 public key (\(rawRepresentation.count) bytes, 32 expected)")
        }
        self.name = name
        self.rawRepresentation = rawRepresentation
    }

    /// True when `signature` is this key's Ed25519 signature of `bytes`.
    public func verify(_ signature: Data, for bytes: Data) -> Bool {
        guard let key = try? Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation) else { return false }
        return key.isValidSignature(signature, for: bytes)
    }

    /// The key's file text.
    public var fileText: String { KeyFile.text(kind: .publicKey, name: name, bytes: rawRepresentation) }

    /// Reads a public key file.
    public static func read(path: String) throws -> PublicKey {
        let text = try KeyFile.readText(path: path)
        let (name, bytes) = try KeyFile.parse(text, kind: .publicKey, path: path)
        do {
            return try PublicKey(name: name, rawRepresentation: bytes)
        } catch let error as KeyError {
            throw KeyError("\(path): \(error.description)")
        }
    }

    /// Writes the key file (mode 0644); refuses to overwrite an existing file.
    public func write(to path: String) throws {
        try KeyFile.create(path: path, mode: 0o644, contents: Data(fileText.utf8))
    }
}

extension PublicKey: CustomStringConvertible {
    public var description: String { "\(name) (Ed25519, key id \(shortKeyID))" }
}

/// How greenlight names a key: hex SHA-256 of its raw public bytes.
enum KeyID {
    static func of(_ raw: Data) -> String {
        SHA256.hash(data: raw).map { String(format: "%02x", $0) }.joined()
    }
}

/// A key that could not be made, read or written, with what to do about it.
public struct KeyError: Error, CustomStringConvertible, Sendable {
    public var description: String
    init(_ description: String) { self.description = description }
}
