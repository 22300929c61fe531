import Foundation
import GreenlightJSON
import GreenlightTestSupport
import Testing

@testable import GreenlightLedger

/// The same behaviour asked of every store: SQLite in a temporary file, PostgreSQL in a fresh database of
/// a throwaway cluster the suite starts (initdb as user postgres, password authentication, loopback).
@Suite("Every ledger store", .postgresServer, .serialized)
struct LedgerStoreSuite {
    /// Runs `body` on a fresh, empty ledger of `kind`, opened through ``LedgerLocation``, closed after.
    func withLedger(
        _ kind: StoreKind, _ body: (TestLedger, any LedgerStore) async throws -> Void
    ) async throws {
        let ledger = try await TestLedger.make(kind)
        defer { ledger.remove() }
        let store = try await ledger.open()
        do {
            try await body(ledger, store)
        } catch {
            await store.close()
            throw error
        }
        await store.close()
    }

    @Test(
        "appends, reads back, finds the latest record of a release and reports the head", arguments: StoreKind.allCases)
    func appendAndRead(_ kind: StoreKind) async throws {
        try await withLedger(kind) { ledger, store in
            #expect(try await store.head() == .empty)
            #expect(try await store.verify() == .intact(.empty))
            try await LedgerFixtures.fill(store, count: 10)

            let records = try await store.records(from: 1, limit: 100)
            #expect(records.map(\.sequence) == Array(1...10))
            #expect(records[0].previousHash == LedgerRecord.genesisHash)
            for (before, after) in zip(records, records.dropFirst()) { #expect(after.previousHash == before.hash) }
            #expect(records.allSatisfy { $0.computeHash() == $0.hash })
            #expect(records[2].payload == LedgerFixtures.payload(3))
            #expect(records[3].signature?.keyID == "alice")
            #expect(try await store.records(from: 4, limit: 3).map(\.sequence) == [4, 5, 6])
            #expect(try await store.head() == LedgerHead(count: 10, hash: records[9].hash))

            let newest = try await store.append(
                kind: .report, release: "shop@1.1.0", payload: .object([("v", .int(2))]))
            #expect(newest.sequence == 11)
            #expect(newest.previousHash == records[9].hash)
            #expect(try await store.latest(release: "shop@1.1.0", kind: .report) == newest)
            #expect(try await store.latest(release: "shop@9.9.9", kind: .report) == nil)
            #expect(
                try await store.verify(signatures: LedgerFixtures.verifier, batchSize: 4)
                    == .intact(try await store.head()))

            // Another connection, as another process would open it, sees the same ledger.
            let reopened = try await ledger.open()
            #expect(try await reopened.head() == LedgerHead(count: 11, hash: newest.hash))
            #expect(try await reopened.records(from: 11, limit: 1) == [newest])
            await reopened.close()
        }
    }

    @Test(
        "records(release:kind:after:limit:) reads one release's records, or the ledger-wide ones",
        arguments: StoreKind.allCases)
    func recordsOfRelease(_ kind: StoreKind) async throws {
        try await withLedger(kind) { _, store in
            // 1 release, 4 signoff, 10 report are shop@1.1.0's; 7 signer, 8 admin-key are ledger-wide.
            try await LedgerFixtures.fill(store, count: 10)
            func sequences(_ release: String?, _ kind: LedgerRecord.Kind?, after: Int = 0, limit: Int = 100)
                async throws -> [Int]
            {
                try await store.records(release: release, kind: kind, after: after, limit: limit).map(\.sequence)
            }
            #expect(try await sequences("shop@1.1.0", nil) == [1, 4, 10])
            #expect(try await sequences("shop@1.1.0", .signoff) == [4])
            #expect(try await sequences("shop@1.1.0", nil, after: 1) == [4, 10])
            #expect(try await sequences("shop@1.1.0", nil, limit: 2) == [1, 4])
            #expect(try await sequences("shop@1.0.0", .signoff) == [3])
            #expect(try await sequences(nil, nil) == [7, 8])
            #expect(try await sequences(nil, .signer) == [7])
            #expect(try await sequences(nil, .report) == [])
            #expect(try await sequences("shop@9.9.9", nil) == [])
            let signed = try #require(
                try await store.records(release: "shop@1.1.0", kind: .signoff, after: 0, limit: 1).first)
            #expect(signed == (try await store.records(from: 4, limit: 1)).first)
        }
    }

    @Test("the database refuses UPDATE and DELETE of a record, whoever asks", arguments: StoreKind.allCases)
    func appendOnly(_ kind: StoreKind) async throws {
        try await withLedger(kind) { ledger, store in
            try await LedgerFixtures.fill(store, count: 3)
            var statements = [
                "UPDATE ledger_record SET payload = '{}' WHERE sequence = 2",
                "DELETE FROM ledger_record WHERE sequence = 3",
                "DELETE FROM ledger_record",
            ]
            if kind == .postgres { statements.append("TRUNCATE ledger_record") }
            for sql in statements {
                let error = await #expect(throws: DatabaseRefusal.self) {
                    try await ledger.tamper(dropTriggers: false, [sql])
                }
                #expect(
                    error?.message.contains("the ledger is append-only") == true, "\(sql): \(String(describing: error))"
                )
            }
            #expect(try await store.verify().head?.count == 3)
        }
    }

    @Test("reopening is idempotent; a ledger migrated by a newer greenlight is refused", arguments: StoreKind.allCases)
    func migrations(_ kind: StoreKind) async throws {
        try await withLedger(kind) { ledger, store in
            _ = try await store.append(kind: .release, release: "shop@1.0.0", payload: .object([]))
            let head = try await store.head()
            for _ in 0..<2 {
                let again = try await ledger.open()
                #expect(try await again.head() == head)
                await again.close()
            }
            #expect(
                try await ledger.strings("SELECT \(ledger.migrationColumn) FROM \(ledger.migrationTable)") == [
                    "v1-records"
                ])

            try await ledger.tamper(
                dropTriggers: false,
                ["INSERT INTO \(ledger.migrationTable) (\(ledger.migrationColumn)) VALUES ('v9-future')"])
            let error = await #expect(throws: LedgerError.self) { _ = try await ledger.open() }
            #expect(error?.code == .newerFormat)
            #expect(error?.message.contains("v9-future") == true)
            #expect(error?.message.contains("upgrade greenlight") == true)
        }
    }

    /// A hand edit made after dropping the triggers, and what verify must say of it.
    struct Tampering: Sendable, CustomTestStringConvertible {
        var name: String
        var statements: [String]
        var problem: LedgerBreak.Problem
        var sequence: Int
        var testDescription: String { name }
    }

    static let tamperings = [
        Tampering(
            name: "an edited payload",
            statements: [#"UPDATE ledger_record SET payload = '{"comment":"edited"}' WHERE sequence = 5"#],
            problem: .edited, sequence: 5),
        Tampering(
            name: "an edited sign-off comment",
            statements: [
                "UPDATE ledger_record SET payload = replace(payload, 'entry 4', 'entry four') WHERE sequence = 4"
            ],
            problem: .edited, sequence: 4),
        Tampering(
            name: "a deleted row", statements: ["DELETE FROM ledger_record WHERE sequence = 5"], problem: .deleted,
            sequence: 5),
        Tampering(
            name: "two rows swapped",
            statements: [
                "UPDATE ledger_record SET sequence = 1000005 WHERE sequence = 5",
                "UPDATE ledger_record SET sequence = 5 WHERE sequence = 6",
                "UPDATE ledger_record SET sequence = 6 WHERE sequence = 1000005",
            ],
            problem: .reordered, sequence: 5),
        Tampering(
            name: "an unknown kind (an unreadable row)",
            statements: ["UPDATE ledger_record SET kind = 'bribe' WHERE sequence = 6"], problem: .edited, sequence: 6),
    ]

    @Test("verify names the record tampered with", arguments: StoreKind.allCases, tamperings)
    func tampered(_ kind: StoreKind, _ tampering: Tampering) async throws {
        try await withLedger(kind) { ledger, store in
            try await LedgerFixtures.fill(store, count: 10)
            #expect(try await store.verify(signatures: LedgerFixtures.verifier).head?.count == 10)
            try await ledger.tamper(tampering.statements)
            let found = try #require(try await store.verify(signatures: LedgerFixtures.verifier, batchSize: 3).failure)
            #expect(found.problem == tampering.problem, "\(found)")
            #expect(found.sequence == tampering.sequence, "\(found)")
        }
    }

    @Test("8 processes × 500 appends at once: all 4,000 recorded, one linear chain", arguments: StoreKind.allCases)
    func concurrentProcesses(_ kind: StoreKind) async throws {
        let ledger = try await TestLedger.make(kind)
        defer { ledger.remove() }
        let bench = try LedgerConcurrencyTests.bench()
        // Each child opens the ledger itself; the first openings race each other to create the schema.
        let children = try (0..<8).map { _ in try ChildProcess(bench, ["burst", ledger.text, "500"]) }
        for child in children {
            let status = await child.wait()
            #expect(status == 0, "\(child.output)")
        }
        let store = try await ledger.open()
        let head = try await store.head()
        #expect(head.count == 4000)
        #expect(try await store.verify() == .intact(head))
        let records = try await store.records(from: 1, limit: 5000)
        #expect(records.map(\.sequence) == Array(1...4000))
        await store.close()
    }

    @Test("the PostgreSQL store's connections commit durably, even when the role's default says otherwise")
    func postgresDurability() async throws {
        let ledger = try await TestLedger.make(.postgres)
        let url = try PostgresLedgerURL(ledger.text)
        try await ledger.tamper(
            dropTriggers: false, ["ALTER ROLE \(url.user) IN DATABASE \(url.database) SET synchronous_commit = off"])
        let store = try #require(try await ledger.open() as? PostgresLedgerStore)
        let setting = try await store.client.withConnection { connection in
            var value = ""
            for try await row in try await connection.query("SHOW synchronous_commit", logger: TestLedger.quiet) {
                value = try row.decode(String.self)
            }
            return value
        }
        #expect(setting == "on")
        await store.close()
    }

    @Test("a PostgreSQL role with only INSERT and SELECT opens a migrated ledger and appends, and cannot edit")
    func leastPrivilege() async throws {
        let server = try #require(PostgresServer.current)
        let ledger = try await TestLedger.make(.postgres)
        let owner = try await ledger.open()
        try await LedgerFixtures.fill(owner, count: 3)
        await owner.close()
        let role = "runner_\(UUID().uuidString.prefix(8).lowercased())"
        let database = try PostgresLedgerURL(ledger.text).database
        try await ledger.tamper(
            dropTriggers: false,
            [
                "CREATE ROLE \(role) LOGIN PASSWORD 'runner-Secret-1'",
                "GRANT SELECT, INSERT ON ledger_record TO \(role)",
                "GRANT SELECT ON greenlight_ledger_migration TO \(role)",
            ])
        let runner = TestLedger(
            kind: .postgres, text: server.url(user: role, password: "runner-Secret-1", database: database), folder: nil)
        let store = try await runner.open()
        let record = try await store.append(kind: .report, release: "shop@1.0.0", payload: .object([]))
        #expect(record.sequence == 4)
        #expect(try await store.verify() == .intact(try await store.head()))
        await store.close()
        let error = await #expect(throws: DatabaseRefusal.self) {
            try await runner.tamper(dropTriggers: false, ["UPDATE ledger_record SET payload = '{}'"])
        }
        #expect(error?.message.contains("permission denied") == true, "\(String(describing: error))")
    }

    // MARK: - Opening a PostgreSQL ledger that cannot be opened

    func openError(_ text: String) async throws -> LedgerError? {
        await #expect(throws: LedgerError.self) { _ = try await LedgerLocation(text).open() }
    }

    @Test("a refused connection names host:port")
    func refused() async throws {
        let port = Loopback.freePort()
        let error = try await openError(
            "postgres://greenlight:pg-Secret-4711@127.0.0.1:\(port)/postgres?sslmode=disable")
        #expect(error?.code == .storage)
        #expect(
            error?.message.contains("connection refused by 127.0.0.1:\(port)") == true, "\(String(describing: error))")
        #expect(error?.message.contains("pg-Secret-4711") == false)
    }

    @Test("a wrong password is named, and never shown")
    func wrongPassword() async throws {
        let server = try #require(PostgresServer.current)
        let error = try await openError(server.url(password: "not-the-Secret-99") + "?sslmode=disable")
        #expect(error?.code == .storage)
        #expect(
            error?.message.contains("password authentication failed for user greenlight") == true,
            "\(String(describing: error))")
        #expect(error?.message.contains("not-the-Secret-99") == false)
        #expect(error?.message.contains("postgres://greenlight:***@127.0.0.1:\(server.port)/postgres") == true)
    }

    @Test("a missing database is named")
    func missingDatabase() async throws {
        let server = try #require(PostgresServer.current)
        let error = try await openError(server.url(database: "no_such_ledger"))
        #expect(error?.code == .storage)
        #expect(
            error?.message.contains("database no_such_ledger does not exist") == true, "\(String(describing: error))")
        #expect(error?.message.contains(server.password) == false)
    }
}

@Suite("Where a ledger is: a file path or a postgres:// URL")
struct LedgerLocationTests {
    @Test("a postgres URL: user, password, host, port, database, sslmode; shown with the password masked")
    func postgresURL() throws {
        let location = try LedgerLocation("postgresql://ci%40shop:s3cr%2Ft@db.internal:6432/ledger?sslmode=require")
        guard case .postgres(let url) = location else {
            Issue.record("not a postgres location: \(location)")
            return
        }
        #expect(url.user == "ci@shop")
        #expect(url.password == "s3cr/t")
        #expect(url.host == "db.internal")
        #expect(url.port == 6432)
        #expect(url.database == "ledger")
        #expect(url.sslMode == .require)
        #expect(location.description == "postgres://ci%40shop:***@db.internal:6432/ledger?sslmode=require")

        let defaults = try PostgresLedgerURL("postgres://app@db")
        #expect(defaults.port == 5432)
        #expect(defaults.database == "app")
        #expect(defaults.sslMode == .prefer)
        #expect(defaults.password == nil)
        #expect(defaults.description == "postgres://app@db:5432/app")
    }

    @Test("an http(s):// URL is a team server")
    func serverURL() throws {
        #expect(
            try LedgerLocation("https://greenlight.example.com")
                == .server(URL(string: "https://greenlight.example.com")!))
        #expect(try LedgerLocation(" http://127.0.0.1:8080/team ").description == "http://127.0.0.1:8080/team")
    }

    @Test("anything else is a file path")
    func filePath() throws {
        #expect(try LedgerLocation(".greenlight/ledger.sqlite") == .file(".greenlight/ledger.sqlite"))
        #expect(try LedgerLocation("/var/lib/ledger.sqlite").description == "/var/lib/ledger.sqlite")
    }

    @Test("a bad URL is refused with the reason, never with the password")
    func badURLs() throws {
        for (text, reason) in [
            ("postgres://:hunter2@db/ledger", "names no user"),
            ("postgres://app:hunter2@/ledger", "names no host"),
            ("postgres://app:hunter2@db/ledger?sslmode=sometimes", "unknown sslmode 'sometimes'"),
            ("postgres://app:hunter2@db/ledger?pool=9", "'pool'"),
            ("mysql://app:hunter2@db/ledger", "neither a file path, a postgres:// URL nor a server's https:// URL"),
            ("https://app:hunter2@greenlight.example.com", "the token in GREENLIGHT_TOKEN, not in the URL"),
            ("https://greenlight.example.com/?token=hunter2", "not a server URL greenlight can use"),
            ("https://hunter2@greenlight.example.com", "not in the URL"),
            ("http://greenlight.example.com", "would get the token in clear text"),
            ("postgres://app:hunter2@db:port/ledger", "is not a valid URL"),
            ("postgres://app:hunter2@db:70000/ledger", "bad port"),
        ] {
            let error = #expect(throws: LedgerError.self, "\(text)") { try LedgerLocation(text) }
            #expect(error?.code == .storage)
            #expect(error?.message.contains(reason) == true, "\(String(describing: error))")
            #expect(error?.message.contains("hunter2") == false, "\(String(describing: error))")
        }
    }
}
