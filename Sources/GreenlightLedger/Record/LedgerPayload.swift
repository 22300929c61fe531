import Foundation
import GreenlightJSON

/// How a payload is stored: its canonical text, and the value read back from that text (what every
/// later reader sees and hashes).
enum LedgerPayload {
    static func canonical(_ payload: JSONValue) throws -> (text: String, value: JSONValue) {
        if let name = payload.repeatedMemberName {
            throw LedgerError(
                .invalidRecord,
                "the payload repeats the member '\(name)'; a record's payload must name each member once")
        }
        let text = payload.canonicalSerialized()
        do {
            return (text, try JSONValue(parsing: Data(text.utf8)))
        } catch {
            throw LedgerError(.invalidRecord, "the payload cannot be stored as JSON: \(error)")
        }
    }
}
