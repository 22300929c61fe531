import Foundation
import GRDB
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightLedger

/// What only the SQLite store has; what every store does is in ``LedgerStoreSuite``.
@Suite("The SQLite ledger store")
struct SQLiteLedgerStoreTests {
    @Test("the chain verifies, signatures included")
    func chainVerifies() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let store = try await LedgerFixtures.ledger(folder, count: 25)
        let head = try await store.head()
        #expect(try await store.verify(signatures: LedgerFixtures.verifier, batchSize: 7) == .intact(head))
        #expect(head.count == 25)
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
