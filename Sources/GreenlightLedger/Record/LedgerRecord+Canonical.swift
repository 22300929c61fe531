import Crypto
import Foundation
import GreenlightCore
import GreenlightJSON

extension LedgerRecord {
    /// The bytes a record's ``hash`` is computed over (ledger format 1).
    ///
    /// Every field except `hash`, as one JSON object in GreenlightJSON's canonical text
    /// (``JSONValue/canonicalSerialized()``: members sorted by the UTF-8 bytes of their names, no
    /// whitespace, integers as integers, other numbers in Swift's shortest round-trip form), UTF-8:
    ///
    ///     {"format":1,"kind":"signoff","payload":{…},"previous_hash":"<64 hex>","release":"shop@1.4.0",
    ///      "sequence":7,"signature":"<base64>","signer_key_id":"alice","time":"2026-11-30T15:44:03.123Z"}
    ///
    /// `release`, `signature` and `signer_key_id` are `null` when absent; `time` is UTC with milliseconds
    /// (``LedgerTime``). greenlight defines these bytes itself rather than through Foundation's
    /// `JSONEncoder`, so that a ledger written today verifies with any later Foundation.
    public var canonicalForm: Data {
        let object: JSONValue = .object([
            ("format", .int(Ledger.formatVersion)),
            ("kind", .string(kind.rawValue)),
            ("payload", payload),
            ("previous_hash", .string(previousHash)),
            ("release", release.map(JSONValue.string) ?? .null),
            ("sequence", .int(sequence)),
            ("signature", signature.map { .string($0.bytes.base64EncodedString()) } ?? .null),
            ("signer_key_id", signature.map { .string($0.keyID) } ?? .null),
            ("time", .string(LedgerTime.string(time))),
        ])
        return Data(object.canonicalSerialized().utf8)
    }

    /// The hex SHA-256 of ``canonicalForm``: what ``hash`` must be.
    public func computeHash() -> String { Hashing.sha256Hex(canonicalForm) }

    /// The bytes a signature covers: the kind, the release and the payload, in canonical JSON under a
    /// `context` of `greenlight-ledger/1`.
    ///
    /// A signer signs before the record is appended, so the sequence, the time and the chain link are
    /// not covered (the hash covers them). A sign-off's own time and the report digest it approves
    /// belong in its payload.
    public var signedContent: Data {
        Self.signedContent(kind: kind, release: release, payload: payload)
    }

    /// The bytes a signature over a record of this kind, release and payload covers (see ``signedContent``).
    public static func signedContent(kind: Kind, release: String?, payload: JSONValue) -> Data {
        let object: JSONValue = .object([
            ("context", .string("greenlight-ledger/\(Ledger.formatVersion)")),
            ("kind", .string(kind.rawValue)),
            ("payload", payload),
            ("release", release.map(JSONValue.string) ?? .null),
        ])
        return Data(object.canonicalSerialized().utf8)
    }
}
