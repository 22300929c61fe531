import Foundation
import GreenlightJSON

/// A stored row's columns as the database gave them, before they are judged: what every store reads
/// and turns into a ``LedgerRecord`` the same way.
struct LedgerRow: Sendable {
    var sequence: Int
    var kind: String?
    var release: String?
    var time: String?
    var payload: String?
    var previousHash: String?
    var hash: String?
    var signature: String?
    var signerKeyID: String?

    /// The columns of ledger_record in the order every store selects them.
    static let columns = "sequence, kind, release, time, payload, previous_hash, hash, signature, signer_key_id"

    static func unreadable(_ sequence: Int, _ what: String) -> LedgerError {
        LedgerError(.unreadableRecord, "record \(sequence): \(what)", sequence: sequence)
    }

    /// The row as a record; a row that is not one throws `LedgerError.Code.unreadableRecord` naming its
    /// sequence number.
    func record() throws -> LedgerRecord {
        func unreadable(_ what: String) -> LedgerError { Self.unreadable(sequence, what) }
        func required(_ value: String?, _ column: String) throws -> String {
            guard let value else { throw unreadable("\(column) is missing") }
            return value
        }
        let kindText = try required(kind, "kind")
        guard let kind = LedgerRecord.Kind(rawValue: kindText) else {
            throw unreadable("unknown kind '\(kindText)'")
        }
        let timeText = try required(time, "time")
        guard let time = LedgerTime.date(timeText) else { throw unreadable("malformed time '\(timeText)'") }
        let payload: JSONValue
        do {
            payload = try JSONValue(parsing: Data(try required(self.payload, "payload").utf8))
        } catch let error as LedgerError {
            throw error
        } catch {
            throw unreadable("(\(kind.rawValue)) payload is not JSON: \(error)")
        }
        var stored: LedgerSignature?
        switch (signature, signerKeyID) {
        case (nil, nil): break
        case (let text?, let keyID?):
            guard let bytes = Data(base64Encoded: text) else {
                throw unreadable("(\(kind.rawValue)) signature is not base64")
            }
            stored = LedgerSignature(keyID: keyID, bytes: bytes)
        default: throw unreadable("(\(kind.rawValue)) has a signature without a key, or a key without a signature")
        }
        return LedgerRecord(
            sequence: sequence, kind: kind, release: release, time: time, payload: payload,
            previousHash: try required(previousHash, "previous_hash"), hash: try required(hash, "hash"),
            signature: stored)
    }
}
