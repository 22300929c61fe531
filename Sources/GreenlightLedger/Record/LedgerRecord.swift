import Foundation
import GreenlightJSON

/// One entry of the ledger: what happened, to which release, when, and the hash that chains it to the
/// entry before.
///
/// Records are numbered from 1 without gaps. ``hash`` is the hex SHA-256 of the record's canonical form
/// (``canonicalForm``), which includes ``previousHash``, so that changing, removing or moving any record
/// breaks the link to every record after it.
public struct LedgerRecord: Sendable, Hashable {
    /// What a record holds; its raw value is the name stored and hashed.
    public enum Kind: String, Sendable, Hashable, CaseIterable {
        case release
        case report
        case signoff
        case waiver
        case flagChange = "flag-change"
        case rolloutEvent = "rollout-event"
        case signer
        case adminKey = "admin-key"
        /// What the gate decided for a release's latest report (open, or what was missing).
        case gate
        /// A personal API token's hash, issued (or revoked) by the admin key: who may use the team server.
        case token
    }

    /// The `previousHash` of the first record: 64 zeros.
    public static let genesisHash = String(repeating: "0", count: 64)

    /// The record's place in the chain, from 1.
    public var sequence: Int
    public var kind: Kind
    /// The release the record belongs to, as `service@version`; nil for a ledger-wide record (a signer, the
    /// admin key).
    public var release: String?
    /// When the record was appended, in UTC, to the millisecond.
    public var time: Date
    /// The record's content, as stored: its members sorted (``JSONValue/canonicalSerialized()``).
    public var payload: JSONValue
    /// The hex SHA-256 of the canonical form of the record before; ``genesisHash`` for the first.
    public var previousHash: String
    /// The hex SHA-256 of this record's canonical form.
    public var hash: String
    /// An Ed25519 signature over ``signedContent``, with the key that made it; nil when unsigned.
    public var signature: LedgerSignature?

    public init(
        sequence: Int, kind: Kind, release: String?, time: Date, payload: JSONValue, previousHash: String,
        hash: String, signature: LedgerSignature?
    ) {
        self.sequence = sequence
        self.kind = kind
        self.release = release
        self.time = time
        self.payload = payload
        self.previousHash = previousHash
        self.hash = hash
        self.signature = signature
    }
}

/// A signature carried by a record: the signature's bytes and the identifier of the key that made it.
/// The ledger stores both; whether the key may sign, and whether the bytes verify, is judged by a
/// ``SignatureVerifier``.
public struct LedgerSignature: Sendable, Hashable {
    /// Who signed: the identifier of a registered signer's key.
    public var keyID: String
    /// The Ed25519 signature (64 bytes), stored and hashed as base64.
    public var bytes: Data

    public init(keyID: String, bytes: Data) {
        self.keyID = keyID
        self.bytes = bytes
    }
}
