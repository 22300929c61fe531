import Foundation
import GRDB
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightLedger

@Suite("The SQLite ledger store")
struct SQLiteLedgerStoreTests {
    @Test("appends, reads back, finds the latest record of a release and reports the head")
    func appendAndRead() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await LedgerFixtures.ledger(folder, count: 10)

        let records = try await store.records(from: 1, limit: 100)
        #expect(records.map(\.sequence) == Array(1...10))
        #expect(records[0].previousHash == LedgerRecord.genesisHash)
        for (before, after) in zip(records, records.dropFirst()) { #expect(after.previousHash == before.hash) }
        #expect(records.allSatisfy { $0.computeHash() == $0.hash })
        #expect(records[2].payload == LedgerFixtures.payload(3))
        #expect(records[3].signature?.keyID == "alice")

        let page = try await store.records(from: 4, limit: 3)
        #expect(page.map(\.sequence) == [4, 5, 6])

        let head = try await store.head()
        #expect(head == LedgerHead(count: 10, hash: records[9].hash))

        let newest = try await store.append(kind: .report, release: "shop@1.1.0", payload: .object([("v", .int(2))]))
        #expect(newest.sequence == 11)
        #expect(try await store.latest(release: "shop@1.1.0", kind: .report) == newest)
        #expect(try await store.latest(release: "shop@9.9.9", kind: .report) == nil)

        // Another connection, as another process would open it, sees the same ledger.
        let reopened = try SQLiteLedgerStore(path: store.path)
        #expect(try await reopened.head() == LedgerHead(count: 11, hash: newest.hash))
        #expect(try await reopened.records(from: 11, limit: 1) == [newest])
    }

    @Test("an empty ledger verifies with 64 zeros as its head")
    func emptyLedger() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteLedgerStore(path: folder.appending("ledger.sqlite").path)
        #expect(try await store.head() == .empty)
        #expect(try await store.verify() == .intact(.empty))
    }

    @Test("the chain verifies, signatures included")
    func chainVerifies() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await LedgerFixtures.ledger(folder, count: 25)
        let head = try await store.head()
        #expect(try await store.verify(signatures: LedgerFixtures.verifier, batchSize: 7) == .intact(head))
        #expect(head.count == 25)
    }

    @Test("the database refuses UPDATE and DELETE of a record")
    func appendOnly() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await LedgerFixtures.ledger(folder, count: 3)
        for sql in [
            "UPDATE ledger_record SET payload = '{}' WHERE sequence = 2",
            "DELETE FROM ledger_record WHERE sequence = 3",
            "DELETE FROM ledger_record",
        ] {
            let error = #expect(throws: DatabaseError.self) {
                try LedgerFixtures.tamper(store, dropTriggers: false, sql)
            }
            #expect(error?.message?.contains("the ledger is append-only") == true)
        }
        #expect(try await store.verify().head?.count == 3)
    }

    @Test("every append is durable: WAL mode, synchronous FULL, schema as named migrations")
    func durability() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteLedgerStore(path: folder.appending("ledger.sqlite").path)
        let (journal, synchronous, migrations) = try await store.pool.read { db in
            (
                try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"),
                try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
            )
        }
        #expect(journal == "wal")
        #expect(synchronous == 2)
        #expect(migrations == ["v1-records"])
    }

    @Test("a ledger migrated by a newer greenlight is refused with advice")
    func newerFormat() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try SQLiteLedgerStore(path: folder.appending("ledger.sqlite").path)
        try LedgerFixtures.tamper(store, dropTriggers: false, "INSERT INTO grdb_migrations VALUES ('v9-future')")
        let error = #expect(throws: LedgerError.self) { try SQLiteLedgerStore(path: store.path) }
        #expect(error?.code == .newerFormat)
        #expect(error?.message.contains("upgrade greenlight") == true)
    }
}

extension LedgerVerification {
    var head: LedgerHead? {
        if case .intact(let head) = self { return head }
        return nil
    }

    var failure: LedgerBreak? {
        if case .broken(let found) = self { return found }
        return nil
    }
}
