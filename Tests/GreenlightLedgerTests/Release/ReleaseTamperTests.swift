import Foundation
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightLedger

/// The acceptance "tampering with the SQLite file by hand": the real sqlite3 shell edits a release
/// ledger, and verify with the ledger's signature rules names the record and what was done to it.
@Suite("Tampering with a release ledger's SQLite file with the sqlite3 shell")
struct ReleaseTamperTests {
    static let dropTriggers = "DROP TRIGGER ledger_record_no_update; DROP TRIGGER ledger_record_no_delete;"

    /// admin (1), erin and sam registered (2, 3), the release and its GO report (4, 5), and three
    /// sign-offs: erin as engineering (6), sam as sre (7) and as product (8).
    static func ledger() async throws -> ReleaseSetup {
        let setup = try await ReleaseFixtures.setup(signers: [("erin", ["engineering"]), ("sam", ["sre", "product"])])
        let digest = try await ReleaseFixtures.record(
            ReleaseFixtures.report(), in: setup, specRoles: ["sre", "product"])
        try await setup.record("erin", "engineering", digest)
        try await setup.record("sam", "sre", digest)
        try await setup.record("sam", "product", digest)
        #expect(try await setup.store.head().count == 8)
        #expect(try await setup.ledger.gate(release: ReleaseFixtures.release).isOpen)
        #expect(try await setup.store.verify(signatures: LedgerSignatures()) == .intact(try await setup.store.head()))
        return setup
    }

    static func sqlite3() throws -> String {
        let path = "/usr/bin/sqlite3"
        try #require(
            FileManager.default.isExecutableFile(atPath: path), "the sqlite3 shell is missing: apt-get install sqlite3")
        return path
    }

    /// Runs `sql` on the ledger file with the sqlite3 shell, then verifies the ledger through a fresh
    /// store, with the ledger's signature rules.
    static func tamper(_ setup: ReleaseSetup, _ sql: String) async throws -> LedgerVerification {
        try await ChildProcess.run(try sqlite3(), ["-bail", setup.path, sql])
        return try await SQLiteLedgerStore(path: setup.path).verify(signatures: LedgerSignatures())
    }

    @Test("the triggers refuse an edit made with the sqlite3 shell while they stand")
    func triggersRefuse() async throws {
        let setup = try await Self.ledger()
        defer { setup.remove() }
        await #expect(throws: CommandFailure.self) {
            try await ChildProcess.run(
                try Self.sqlite3(), ["-bail", setup.path, "UPDATE ledger_record SET payload = '{}' WHERE sequence = 7"])
        }
        #expect(try await setup.store.verify(signatures: LedgerSignatures()) == .intact(try await setup.store.head()))
    }

    @Test("a sign-off's comment edited by hand: record 7 edited")
    func editedComment() async throws {
        let setup = try await Self.ledger()
        defer { setup.remove() }
        let outcome = try await Self.tamper(
            setup,
            Self.dropTriggers
                + " UPDATE ledger_record SET payload = replace(payload, 'runbook checked', 'runbook skipped') WHERE sequence = 7;"
        )
        #expect(
            outcome
                == .broken(
                    LedgerBreak(.edited, sequence: 7, kind: .signoff, detail: "its content no longer matches its hash"))
        )
    }

    @Test("a sign-off row deleted: record 7 deleted")
    func deletedRow() async throws {
        let setup = try await Self.ledger()
        defer { setup.remove() }
        let outcome = try await Self.tamper(setup, Self.dropTriggers + " DELETE FROM ledger_record WHERE sequence = 7;")
        #expect(
            outcome
                == .broken(
                    LedgerBreak(
                        .deleted, sequence: 7, kind: nil, detail: "record 7 is missing before record 8 (signoff)")))
    }

    @Test("two sign-off rows swapped: record 6 reordered, holding the record written as 7")
    func swappedRows() async throws {
        let setup = try await Self.ledger()
        defer { setup.remove() }
        let outcome = try await Self.tamper(
            setup,
            Self.dropTriggers + """
                 UPDATE ledger_record SET sequence = 1006 WHERE sequence = 6;
                 UPDATE ledger_record SET sequence = 6 WHERE sequence = 7;
                 UPDATE ledger_record SET sequence = 7 WHERE sequence = 1006;
                """)
        #expect(
            outcome
                == .broken(
                    LedgerBreak(
                        .reordered, sequence: 6, kind: .signoff, detail: "it holds the record written as number 7")))
    }

    /// A real Ed25519 signature by sam, over other bytes: valid base64 of the right length.
    static func otherSignature(_ setup: ReleaseSetup) throws -> String {
        try #require(setup.keys["sam"]).sign(Data("something else".utf8)).base64EncodedString()
    }

    @Test("a sign-off's signature replaced by another well-formed one: record 7 edited (the hash covers it)")
    func replacedSignature() async throws {
        let setup = try await Self.ledger()
        defer { setup.remove() }
        let outcome = try await Self.tamper(
            setup,
            Self.dropTriggers
                + " UPDATE ledger_record SET signature = '\(try Self.otherSignature(setup))' WHERE sequence = 7;")
        #expect(
            outcome
                == .broken(
                    LedgerBreak(.edited, sequence: 7, kind: .signoff, detail: "its content no longer matches its hash"))
        )
    }

    @Test("the last sign-off's signature replaced and its hash recomputed: record 8 forged")
    func replacedSignatureRehashed() async throws {
        let setup = try await Self.ledger()
        defer { setup.remove() }
        let signature = try Self.otherSignature(setup)
        var last = try #require(try await setup.store.records(from: 8, limit: 1).first)
        let keyID = try #require(last.signature?.keyID)
        last.signature = LedgerSignature(keyID: keyID, bytes: try #require(Data(base64Encoded: signature)))
        let hash = last.computeHash()
        let sam = try #require(setup.keys["sam"])
        let outcome = try await Self.tamper(
            setup,
            Self.dropTriggers
                + " UPDATE ledger_record SET signature = '\(signature)', hash = '\(hash)' WHERE sequence = 8;")
        #expect(
            outcome
                == .broken(
                    LedgerBreak(
                        .forged, sequence: 8, kind: .signoff,
                        detail:
                            "sam's approve as product: the signature does not verify with sam's key \(sam.publicKey.shortKeyID)"
                    )))
    }

    @Test(
        "a sign-off appended by hand with a correct chain link and hash, signed by an unregistered key: record 9 forged"
    )
    func appendedForgery() async throws {
        let setup = try await Self.ledger()
        defer { setup.remove() }
        let head = try await setup.store.head()
        let mallory = SigningKey.generate(name: "mallory")
        let digest = try #require(try await setup.ledger.latestReport(release: ReleaseFixtures.release)?.entry.digest)
        // sam's approval as sre again, but signed by mallory's key.
        let signOff = SignOff(
            signer: "sam", role: "sre", decision: .approve, comment: "ship it", at: ReleaseFixtures.date,
            release: ReleaseFixtures.release, reportDigest: digest)
        let (payloadText, payload) = try LedgerPayload.canonical(try LedgerJSON.payload(signOff))
        let content = LedgerRecord.signedContent(kind: .signoff, release: ReleaseFixtures.release, payload: payload)
        let signature = LedgerSignature(keyID: mallory.keyID, bytes: try mallory.sign(content))
        let time = LedgerTime.truncated(Date())
        var record = LedgerRecord(
            sequence: head.count + 1, kind: .signoff, release: ReleaseFixtures.release, time: time, payload: payload,
            previousHash: head.hash, hash: "", signature: signature)
        record.hash = record.computeHash()
        let quoted = payloadText.replacingOccurrences(of: "'", with: "''")
        let outcome = try await Self.tamper(
            setup,
            """
            INSERT INTO ledger_record
                (sequence, kind, release, time, payload, previous_hash, hash, signature, signer_key_id)
            VALUES (\(record.sequence), 'signoff', '\(ReleaseFixtures.release)', '\(LedgerTime.string(time))',
                    '\(quoted)', '\(record.previousHash)', '\(record.hash)',
                    '\(signature.bytes.base64EncodedString())', '\(mallory.keyID)');
            """)
        #expect(
            outcome
                == .broken(
                    LedgerBreak(
                        .forged, sequence: 9, kind: .signoff,
                        detail:
                            "sam's sign-off is signed by key \(mallory.keyID.prefix(16)), which no registered signer holds"
                    )))
        // The chain alone is intact: only the signature gives it away.
        #expect(
            try await SQLiteLedgerStore(path: setup.path).verify() == .intact(LedgerHead(count: 9, hash: record.hash)))
        let decision = try await ReleaseLedger(store: SQLiteLedgerStore(path: setup.path)).gate(
            release: ReleaseFixtures.release)
        #expect(decision.isOpen)
        #expect(
            decision.ignored == [
                "sam's approve as sre (record 9): sam's sign-off is signed by key \(mallory.keyID.prefix(16)), which no registered signer holds"
            ])
    }
}
