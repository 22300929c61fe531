import Foundation
import GRDB
import GreenlightTestSupport
import Logging
import PostgresNIO
import Testing

@testable import GreenlightLedger

/// The stores the shared suite runs against.
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { self == .sqlite ? "SQLite" : "PostgreSQL" }
}

/// A refusal from the database itself (a trigger, a constraint), with the database's message.
struct DatabaseRefusal: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// One fresh, empty ledger for one test: a file in a temporary folder, or a new database on the
/// suite's throwaway PostgreSQL cluster.
struct TestLedger: Sendable {
    let kind: StoreKind
    /// What a user would give as `--ledger`: the path, or the URL with its password.
    let text: String
    let folder: TemporaryFolder?

    static func make(_ kind: StoreKind) async throws -> TestLedger {
        switch kind {
        case .sqlite:
            let folder = try TemporaryFolder()
            return TestLedger(kind: kind, text: folder.appending("ledger/ledger.sqlite").path, folder: folder)
        case .postgres:
            let server = try #require(PostgresServer.current, "the suite's PostgreSQL server did not start")
            let database = "ledger_\(UUID().uuidString.prefix(8).lowercased())"
            try await Self.run(server.url, ["CREATE DATABASE \(database)"])
            return TestLedger(kind: kind, text: server.url(database: database), folder: nil)
        }
    }

    var location: LedgerLocation { get throws { try LedgerLocation(text) } }

    func open() async throws -> any LedgerStore { try await location.open() }

    func remove() { folder?.remove() }

    /// Runs SQL on the ledger as its owner would, on a connection of its own: with `dropTriggers`, after
    /// removing the append-only triggers (as the SQLite file's holder or the table's owner can).
    /// Throws ``DatabaseRefusal`` with the database's message when it refuses a statement.
    func tamper(dropTriggers: Bool = true, _ statements: [String]) async throws {
        switch kind {
        case .sqlite:
            let queue = try DatabaseQueue(path: text)
            defer { try? queue.close() }
            do {
                try await queue.writeWithoutTransaction { db in
                    if dropTriggers {
                        try db.execute(
                            sql: """
                                DROP TRIGGER IF EXISTS ledger_record_no_update;
                                DROP TRIGGER IF EXISTS ledger_record_no_delete;
                                """)
                    }
                    for statement in statements { try db.execute(sql: statement) }
                }
            } catch let error as DatabaseError {
                throw DatabaseRefusal(message: error.message ?? "\(error)")
            }
        case .postgres:
            let drop =
                dropTriggers
                ? ["no_update", "no_delete", "no_truncate"].map {
                    "DROP TRIGGER IF EXISTS ledger_record_\($0) ON ledger_record"
                }
                : []
            try await Self.run(text, drop + statements)
        }
    }

    /// Runs `statements` one by one on a connection of its own to the database of `url`.
    static func run(_ url: String, _ statements: [String]) async throws {
        let parsed = try PostgresLedgerURL(url)
        let connection = try await PostgresConnection.connect(
            configuration: PostgresLedgerStore.connectionConfiguration(parsed), id: 1, logger: quiet)
        do {
            for statement in statements {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: quiet)
            }
        } catch let error as PSQLError {
            try? await connection.close()
            throw DatabaseRefusal(message: error.serverInfo?[.message] ?? String(reflecting: error))
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    /// The values of the first column of `sql`'s rows, as text.
    func strings(_ sql: String) async throws -> [String] {
        switch kind {
        case .sqlite:
            let queue = try DatabaseQueue(path: text)
            defer { try? queue.close() }
            return try await queue.read { try String.fetchAll($0, sql: sql) }
        case .postgres:
            let connection = try await PostgresConnection.connect(
                configuration: PostgresLedgerStore.connectionConfiguration(try PostgresLedgerURL(text)), id: 1,
                logger: Self.quiet)
            var values: [String] = []
            do {
                for try await row in try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Self.quiet) {
                    values.append(try row.decode(String.self))
                }
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
            return values
        }
    }

    /// The table of applied migration names.
    var migrationTable: String { kind == .sqlite ? "grdb_migrations" : "greenlight_ledger_migration" }
    var migrationColumn: String { kind == .sqlite ? "identifier" : "name" }

    static let quiet = Logger(label: "greenlight.ledger.tests", factory: { _ in SwiftLogNoOpLogHandler() })
}
