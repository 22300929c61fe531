import Foundation
import GreenlightJSON

/// A record as the team server's API carries it (docs/openapi.yaml, `LedgerRecord`): its fields for
/// people and programs to read, and `canonical`, the exact text its hash covers, from which a client
/// rebuilds the record without trusting a JSON library to keep its numbers as they were.
extension LedgerRecord {
    public var wireJSON: JSONValue {
        var members: [(String, JSONValue)] = [
            ("sequence", .int(sequence)), ("kind", .string(kind.rawValue)),
        ]
        if let release { members.append(("release", .string(release))) }
        members += [
            ("time", .string(LedgerTime.string(time))), ("payload", payload), ("previous_hash", .string(previousHash)),
            ("hash", .string(hash)),
        ]
        if let signature { members.append(("signature", signature.wireJSON)) }
        members.append(("canonical", .string(String(decoding: canonicalForm, as: UTF8.self))))
        return .object(members)
    }

    /// The record `canonical` describes, which must hash to `hash`. Throws
    /// `LedgerError.Code.unreadableRecord` naming what is wrong.
    public init(canonical text: String, hash: String) throws {
        func bad(_ why: String) -> LedgerError {
            LedgerError(.unreadableRecord, "a record the server sent is not readable: \(why)")
        }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: Data(text.utf8))
        } catch {
            throw bad("its canonical form is not JSON (\(error))")
        }
        guard case .int(let sequence)? = value["sequence"], case .string(let kindName)? = value["kind"],
            let kind = Kind(rawValue: kindName), case .string(let timeText)? = value["time"],
            let time = LedgerTime.date(timeText), let payload = value["payload"],
            case .string(let previousHash)? = value["previous_hash"]
        else { throw bad("its canonical form lacks a field or has one of the wrong type") }
        var release: String?
        if case .string(let name)? = value["release"] { release = name }
        var signature: LedgerSignature?
        if case .string(let base64)? = value["signature"], case .string(let keyID)? = value["signer_key_id"] {
            guard let bytes = Data(base64Encoded: base64) else {
                throw bad("record \(sequence)'s signature is not base64")
            }
            signature = LedgerSignature(keyID: keyID, bytes: bytes)
        }
        self.init(
            sequence: sequence, kind: kind, release: release, time: time, payload: payload,
            previousHash: previousHash, hash: hash, signature: signature)
        guard computeHash() == hash else {
            throw LedgerError(
                .unreadableRecord,
                "record \(sequence) as the server sent it does not match its hash \(hash.prefix(16)): it was changed on the way or on the server",
                sequence: sequence)
        }
    }
}

extension LedgerSignature {
    /// The API's `Signature`: `{"key_id": …, "bytes": base64}`.
    public var wireJSON: JSONValue {
        .object([("key_id", .string(keyID)), ("bytes", .string(bytes.base64EncodedString()))])
    }
}
