import Foundation
import GRDB
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightLedger

@Suite("verify names the first record tampered with in the SQLite file")
struct LedgerTamperTests {
    /// One edit of the file by hand (after dropping the triggers), and what verify must say of it.
    struct Tampering: Sendable, CustomTestStringConvertible {
        var name: String
        var sql: String
        var problem: LedgerBreak.Problem
        var sequence: Int
        var kind: LedgerRecord.Kind?
        var testDescription: String { name }
    }

    static let cases: [Tampering] = [
        Tampering(
            name: "an edited payload",
            sql: #"UPDATE ledger_record SET payload = '{"comment":"edited"}' WHERE sequence = 5"#,
            problem: .edited, sequence: 5, kind: .flagChange),
        Tampering(
            name: "an edited sign-off comment",
            sql: "UPDATE ledger_record SET payload = replace(payload, 'entry 4', 'entry four') WHERE sequence = 4",
            problem: .edited, sequence: 4, kind: .signoff),
        Tampering(
            name: "a deleted row", sql: "DELETE FROM ledger_record WHERE sequence = 5", problem: .deleted, sequence: 5),
        Tampering(
            name: "the first row deleted", sql: "DELETE FROM ledger_record WHERE sequence = 1", problem: .deleted,
            sequence: 1),
        Tampering(
            name: "two rows swapped",
            sql: """
                UPDATE ledger_record SET sequence = 1000005 WHERE sequence = 5;
                UPDATE ledger_record SET sequence = 5 WHERE sequence = 6;
                UPDATE ledger_record SET sequence = 6 WHERE sequence = 1000005;
                """,
            problem: .reordered, sequence: 5, kind: .rolloutEvent),
        Tampering(
            name: "a replaced hash",
            sql: "UPDATE ledger_record SET hash = '\(String(repeating: "f", count: 64))' WHERE sequence = 5",
            problem: .edited, sequence: 5, kind: .flagChange),
        Tampering(
            name: "a replaced signature",
            sql:
                "UPDATE ledger_record SET signature = '\(Data(repeating: 7, count: 64).base64EncodedString())' WHERE sequence = 4",
            problem: .edited, sequence: 4, kind: .signoff),
        Tampering(
            name: "an unknown kind", sql: "UPDATE ledger_record SET kind = 'bribe' WHERE sequence = 6",
            problem: .edited,
            sequence: 6),
        Tampering(
            name: "a deleted row before an unreadable one",
            sql: """
                DELETE FROM ledger_record WHERE sequence = 5;
                UPDATE ledger_record SET kind = 'bribe' WHERE sequence = 6;
                """,
            problem: .deleted, sequence: 5),
        Tampering(
            name: "a number where text belongs", sql: "UPDATE ledger_record SET payload = 42 WHERE sequence = 3",
            problem: .edited, sequence: 3),
        Tampering(
            name: "a malformed time", sql: "UPDATE ledger_record SET time = 'yesterday' WHERE sequence = 7",
            problem: .edited, sequence: 7),
    ]

    @Test("a hand edit is named", arguments: cases)
    func named(_ tampering: Tampering) async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await LedgerFixtures.ledger(folder, count: 10)
        #expect(try await store.verify(signatures: LedgerFixtures.verifier).head?.count == 10)

        try LedgerFixtures.tamper(store, tampering.sql)

        let found = try #require(try await store.verify(signatures: LedgerFixtures.verifier, batchSize: 3).failure)
        #expect(found.problem == tampering.problem, "\(found)")
        #expect(found.sequence == tampering.sequence, "\(found)")
        if let kind = tampering.kind { #expect(found.kind == kind, "\(found)") }
    }

    @Test("an edit whose hash was recomputed is named by the next record's link")
    func editedAndRehashed() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await LedgerFixtures.ledger(folder, count: 10)
        var record = try #require(try await store.records(from: 5, limit: 1).first)
        record.payload = .object([("comment", .string("rewritten"))])
        let hash = record.computeHash()
        try LedgerFixtures.tamper(
            store,
            #"UPDATE ledger_record SET payload = '{"comment":"rewritten"}', hash = '\#(hash)' WHERE sequence = 5"#)

        let found = try #require(try await store.verify().failure)
        #expect(found.problem == .edited)
        #expect(found.sequence == 5)
        #expect(found.kind == .flagChange)
        #expect(found.description.contains("re-hashed"))
    }

    @Test("a record signed with an unregistered key is named as forged")
    func forged() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await LedgerFixtures.ledger(folder, count: 10)
        let payload: JSONValue = .object([("role", .string("sre")), ("decision", .string("approve"))])
        let fake = try LedgerFixtures.sign(.signoff, "shop@1.2.0", payload, by: LedgerFixtures.mallory, as: "alice")
        _ = try await store.append(kind: .signoff, release: "shop@1.2.0", payload: payload, signature: fake)
        let stranger = try LedgerFixtures.sign(
            .signoff, "shop@1.2.0", payload, by: LedgerFixtures.mallory, as: "mallory")
        _ = try await store.append(kind: .signoff, release: "shop@1.2.0", payload: payload, signature: stranger)

        // The chain itself is whole: anyone with write access can append.
        #expect(try await store.verify().head?.count == 12)
        let found = try #require(try await store.verify(signatures: LedgerFixtures.verifier).failure)
        #expect(
            found
                == LedgerBreak(
                    .forged, sequence: 11, kind: .signoff, detail: "the signature of 'alice' does not verify"))
    }

    @Test("a forged signature before an edit is the one named, though signatures are checked in parallel")
    func forgedBeforeEdit() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await LedgerFixtures.ledger(folder, count: 3)
        let payload: JSONValue = .object([("decision", .string("approve"))])
        let fake = try LedgerFixtures.sign(.signoff, "shop@1.2.0", payload, by: LedgerFixtures.mallory, as: "alice")
        _ = try await store.append(kind: .signoff, release: "shop@1.2.0", payload: payload, signature: fake)
        for index in 5...300 {
            let signature = try LedgerFixtures.sign(
                .signoff, "shop@1.2.0", LedgerFixtures.payload(index), by: LedgerFixtures.alice, as: "alice")
            _ = try await store.append(
                kind: .signoff, release: "shop@1.2.0", payload: LedgerFixtures.payload(index), signature: signature)
        }
        try LedgerFixtures.tamper(store, "UPDATE ledger_record SET release = 'shop@6.6.6' WHERE sequence = 250")

        let found = try #require(try await store.verify(signatures: LedgerFixtures.verifier).failure)
        #expect(found.problem == .forged)
        #expect(found.sequence == 4)
    }
}
