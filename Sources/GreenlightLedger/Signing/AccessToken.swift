import Crypto
import Foundation
import GreenlightJSON

/// A personal token for the team server, as a `token` record holds it: never the token itself, only its
/// SHA-256, the signer it speaks for and when it stops working. The admin key signs the record, so that
/// nobody who can append to the ledger can mint a token.
///
/// A token is `glt_` followed by 43 base64url characters (32 random bytes). It carries 256 bits of
/// randomness, so a plain SHA-256 stores it safely: there is nothing to guess that a slow hash would
/// protect (unlike a password).
public struct AccessToken: Codable, Sendable, Hashable {
    public static let format = "greenlight-token"
    public static let prefix = "glt_"

    public var format: String = AccessToken.format
    /// A short public name for the token (its first 8 hex digits of hash), to list and revoke it by.
    public var id: String
    /// The registered signer the token speaks for; its roles come from the signer registry.
    public var signer: String
    /// Hex SHA-256 of the token's text.
    public var sha256: String
    /// ISO 8601, UTC.
    public var issuedAt: String
    /// ISO 8601, UTC; nil: until revoked.
    public var expiresAt: String?
    /// A later record with `revoked` ends the token of the same id.
    public var revoked: Bool?

    /// A new random token for `signer`: the text to hand over once, and what the ledger keeps.
    public static func issue(signer: String, at date: Date = Date(), expires: Date?) -> (
        text: String, token: AccessToken
    ) {
        var bytes = [UInt8](repeating: 0, count: 32)
        var generator = SystemRandomNumberGenerator()
        for index in bytes.indices { bytes[index] = generator.next() }
        let text =
            prefix
            + Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
        let hash = digest(of: text)
        return (
            text,
            AccessToken(
                id: String(hash.prefix(8)), signer: signer, sha256: hash, issuedAt: CanonicalSigning.utc(date),
                expiresAt: expires.map(CanonicalSigning.utc), revoked: nil)
        )
    }

    /// The hex SHA-256 of a token's text.
    public static func digest(of text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// Whether the token has expired at `now`.
    public func hasExpired(at now: Date) -> Bool {
        guard let expiresAt, let end = try? Date(expiresAt, strategy: .iso8601) else { return false }
        return end <= now
    }
}

/// The tokens the ledger's `token` records hold, with the admin's signature checked: the server's view
/// of who may call it.
public struct TokenRegistry: Sendable {
    /// Live tokens by their SHA-256.
    public private(set) var byHash: [String: AccessToken] = [:]
    /// Every token ever issued, by id, revoked or not, for `token list`.
    public private(set) var issued: [String: AccessToken] = [:]
    /// Records that were left out, and why.
    public private(set) var refused: [String] = []

    public init() {}

    /// Applies one ledger-wide record: a `token` record signed by `adminKey` issues or revokes a token.
    mutating func learn(_ record: LedgerRecord, adminKey: PublicKey?) {
        guard record.kind == .token else { return }
        guard let adminKey, let signature = record.signature, signature.keyID == adminKey.keyID,
            record.computeHash() == record.hash,
            adminKey.verify(signature.bytes, for: record.signedContent)
        else {
            refused.append("record \(record.sequence) (token): not signed by the ledger's admin key")
            return
        }
        guard let token = try? LedgerJSON.decode(AccessToken.self, record.payload), token.format == AccessToken.format
        else {
            refused.append("record \(record.sequence) (token): not a token record")
            return
        }
        // A token is issued once: its issuance appended again (after a revocation, to revive it) is ignored.
        if token.revoked != true, issued[token.id] != nil {
            refused.append(
                "record \(record.sequence) (token): token \(token.id) was issued before; a second issue is ignored")
            return
        }
        if token.revoked == true {
            if let old = issued[token.id] {
                byHash[old.sha256] = nil
                var ended = old
                ended.revoked = true
                issued[token.id] = ended
            }
        } else {
            byHash[token.sha256] = token
            issued[token.id] = token
        }
    }

    /// The live token whose text is `text`, if it has not expired at `now`.
    public func token(for text: String, at now: Date = Date()) -> AccessToken? {
        guard text.hasPrefix(AccessToken.prefix), let token = byHash[AccessToken.digest(of: text)],
            !token.hasExpired(at: now)
        else { return nil }
        return token
    }
}

extension ReleaseLedger {
    /// Issues a token for registered signer `signer`, signed by the admin key: returns the token's text,
    /// which is shown once and kept nowhere, and the record.
    public func issueToken(signer: String, admin: SigningKey, expires: Date?) async throws -> (
        text: String, token: AccessToken, record: LedgerRecord
    ) {
        let (signatures, _) = try await registry()
        guard let adminKey = signatures.adminKey else {
            throw LedgerError(.invalidRecord, "the ledger has no admin key yet: run greenlight ledger init first")
        }
        guard admin.keyID == adminKey.keyID else {
            throw LedgerError(
                .invalidRecord,
                "key \(admin.publicKey.shortKeyID) is not the ledger's admin key (\(adminKey.shortKeyID)); only the admin issues tokens"
            )
        }
        guard signatures.signers[signer] != nil else {
            throw LedgerError(
                .invalidRecord, "\(signer) is not a registered signer: register them first with greenlight signer add")
        }
        let (text, token) = AccessToken.issue(signer: signer, expires: expires)
        let record = try await appendToken(token, admin: admin)
        return (text, token, record)
    }

    /// Revokes the token `id` (as `token list` shows it).
    @discardableResult
    public func revokeToken(id: String, admin: SigningKey) async throws -> LedgerRecord {
        guard var token = try await tokens().issued[id] else {
            throw LedgerError(.invalidRecord, "no token has the id \(id): greenlight token list shows them")
        }
        token.revoked = true
        token.issuedAt = CanonicalSigning.utc(Date())
        return try await appendToken(token, admin: admin)
    }

    private func appendToken(_ token: AccessToken, admin: SigningKey) async throws -> LedgerRecord {
        let payload = try LedgerJSON.payload(token)
        let content = LedgerRecord.signedContent(kind: .token, release: nil, payload: payload)
        return try await store.append(
            kind: .token, release: nil, payload: payload,
            signature: LedgerSignature(keyID: admin.keyID, bytes: try admin.sign(content)))
    }

    /// The token registry from the ledger-wide records (read anew each call; the server keeps its own
    /// incremental ``AccessDirectory``).
    public func tokens() async throws -> TokenRegistry {
        var directory = AccessDirectory()
        for record in try await store.allRecords(release: nil, kind: nil) { directory.learn(record) }
        return directory.tokens
    }
}

/// Who may call a team server, built record by record from the ledger-wide records in chain order: the
/// signer registry (with its signatures checked, as ``ReleaseLedger/registry()`` does) and the tokens.
public struct AccessDirectory: Sendable {
    public private(set) var signatures = LedgerSignatures()
    public private(set) var tokens = TokenRegistry()
    /// The last record learned from.
    public private(set) var sequence = 0

    public init() {}

    /// Applies one record (any record: only ledger-wide admin-key, signer and token records change it).
    public mutating func learn(_ record: LedgerRecord) {
        sequence = max(sequence, record.sequence)
        guard record.release == nil else { return }
        _ = ReleaseLedger.learn(record, into: &signatures)
        tokens.learn(record, adminKey: signatures.adminKey)
    }

    /// The live token `text` and its signer's current registration; nil for an unknown, revoked or
    /// expired token, or one whose signer is no longer registered.
    public func caller(token text: String, at now: Date = Date()) -> (
        token: AccessToken, registration: SignerRegistration
    )? {
        guard let token = tokens.token(for: text, at: now), let registration = signatures.signers[token.signer]
        else { return nil }
        return (token, registration)
    }
}
