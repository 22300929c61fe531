import Foundation
import GreenlightJSON
import Testing

@testable import GreenlightLedger

@Suite("A ledger record's canonical form")
struct LedgerRecordTests {
    static let record = LedgerRecord(
        sequence: 7, kind: .signoff, release: "shop@1.4.0", time: Date(timeIntervalSince1970: 1_796_053_443.123),
        payload: .object([("role", .string("sre")), ("decision", .string("approve")), ("n", .double(2))]),
        previousHash: String(repeating: "a", count: 64), hash: "",
        signature: LedgerSignature(keyID: "alice", bytes: Data([1, 2, 3])))

    @Test("is every field but the hash, as compact JSON with sorted members")
    func canonicalBytes() {
        let text = String(decoding: Self.record.canonicalForm, as: UTF8.self)
        #expect(
            text
                == #"{"format":1,"kind":"signoff","payload":{"decision":"approve","n":2,"role":"sre"},"previous_hash":""#
                + String(repeating: "a", count: 64)
                + #"","release":"shop@1.4.0","sequence":7,"signature":"AQID","signer_key_id":"alice","time":"2026-11-30T15:44:03.123Z"}"#
        )
    }

    @Test("its hash changes with every field, and not with the stored hash")
    func hashCoversEveryField() {
        let base = Self.record.computeHash()
        #expect(base.count == 64)
        var changes: [LedgerRecord] = []
        for change in 0..<8 {
            var record = Self.record
            switch change {
            case 0: record.sequence = 8
            case 1: record.kind = .waiver
            case 2: record.release = nil
            case 3: record.time = record.time.addingTimeInterval(0.001)
            case 4: record.payload = .object([("role", .string("sre"))])
            case 5: record.previousHash = String(repeating: "b", count: 64)
            case 6: record.signature = nil
            default: record.signature?.keyID = "mallory"
            }
            changes.append(record)
        }
        #expect(Set(changes.map { $0.computeHash() }).count == changes.count)
        #expect(!changes.map { $0.computeHash() }.contains(base))
        var rehashed = Self.record
        rehashed.hash = "anything"
        #expect(rehashed.computeHash() == base)
    }

    @Test("the signed content leaves out the sequence, the time and the link")
    func signedContent() {
        var moved = Self.record
        moved.sequence = 99
        moved.time = Date()
        moved.previousHash = LedgerRecord.genesisHash
        #expect(moved.signedContent == Self.record.signedContent)
        #expect(
            String(decoding: Self.record.signedContent, as: UTF8.self)
                == #"{"context":"greenlight-ledger/1","kind":"signoff","payload":{"decision":"approve","n":2,"role":"sre"},"release":"shop@1.4.0"}"#
        )
    }

    @Test(
        "canonical text reads back to the same text",
        arguments: [
            #"{"b":1,"a":[1.5,-0.0,1e300,12345678901234567,"\u0001\"\\/é😀"],"A":{"z":null,"é":true,"e":false}}"#,
            #"[]"#, #"{"":{}}"#, #"0.1"#, #"-7"#,
        ])
    func canonicalIsStable(json: String) throws {
        let value = try JSONValue(parsing: Data(json.utf8))
        let once = value.canonicalSerialized()
        let twice = try JSONValue(parsing: Data(once.utf8)).canonicalSerialized()
        #expect(once == twice)
    }

    @Test("a payload repeating a member name is refused")
    func repeatedMember() {
        let payload: JSONValue = .object([("a", .int(1)), ("b", .object([("x", .int(1)), ("x", .int(2))]))])
        #expect(payload.repeatedMemberName == "x")
        #expect(throws: LedgerError.self) { try LedgerPayload.canonical(payload) }
    }

    @Test(
        "times are UTC to the millisecond and read back exactly",
        arguments: [0, 1_796_053_443_123, 951_782_400_000, 4_102_444_799_999, -1])
    func time(milliseconds: Int64) {
        let date = Date(timeIntervalSince1970: Double(milliseconds) / 1000)
        let text = LedgerTime.string(date)
        #expect(text.utf8.count == 24)
        #expect(LedgerTime.date(text).map(LedgerTime.string) == text)
        if milliseconds == 951_782_400_000 { #expect(text == "2000-02-29T00:00:00.000Z") }
        if milliseconds == -1 { #expect(text == "1969-12-31T23:59:59.999Z") }
        #expect(LedgerTime.date("2026-02-30T00:00:00.000Z") == nil)
        #expect(LedgerTime.date("2026-11-30 15:44:03.123Z") == nil)
    }
}
