import Foundation
import GreenlightJSON
import Logging
import PostgresNIO

/// The ledger in a PostgreSQL database, through postgres-nio: for teams whose CI runners share one
/// ledger. The same table as the SQLite store (`ledger_record`, every value as `TEXT`, the sequence
/// number a `BIGINT` primary key), the same append-only triggers, the same records and hashes.
///
/// Durability: each append is its own transaction, on a connection that signed in with
/// `synchronous_commit = on`, so it is in the server's write-ahead log, flushed, when
/// ``append(kind:release:payload:signature:at:)`` returns.
///
/// Several processes may append at once: each append takes a transaction-scoped advisory lock
/// (`pg_advisory_xact_lock`, so writers wait for each other and readers do not), reads the head inside
/// that transaction and inserts the next sequence number, so the chain stays linear; a writer that
/// skipped the lock would be refused by the primary key, never fork the chain. Triggers refuse any
/// `UPDATE`, `DELETE` or `TRUNCATE` of the table, whoever issues it (short of dropping them as the
/// table's owner).
///
/// The schema is a list of named migrations recorded in `greenlight_ledger_migration`, applied under
/// an advisory lock so that several processes opening a new database at once apply each once.
public final class PostgresLedgerStore: LedgerStore {
    /// The database, as given (its description masks the password).
    public let url: PostgresLedgerURL
    let client: PostgresClient
    private let runner: Task<Void, Never>

    /// Connects to `url`, checks that it can sign in and brings the schema up to date. Throws
    /// `LedgerError.Code.storage` naming what failed (a refused connection, a wrong password, a missing
    /// database), `.newerFormat` for a database migrated by a newer greenlight.
    public init(url: PostgresLedgerURL) async throws {
        self.url = url
        let configuration = Self.clientConfiguration(url)
        // Sign in and migrate on a connection of its own first: a failure to connect is reported at once
        // with its reason (the pool would keep retrying in the background).
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: Self.connectionConfiguration(url), id: 0, logger: Self.quiet)
        } catch {
            throw LedgerError(.storage, "cannot open the ledger \(url): \(Self.describe(error, url))")
        }
        do {
            try await Self.migrate(connection, url: url)
        } catch {
            try? await connection.close()
            if let error = error as? LedgerError { throw error }
            throw LedgerError(.storage, "cannot prepare the ledger \(url): \(Self.describe(error, url))")
        }
        try? await connection.close()
        let client = PostgresClient(configuration: configuration, backgroundLogger: Self.quiet)
        self.client = client
        runner = Task { await client.run() }
    }

    deinit { runner.cancel() }

    /// Ends the client and its connections.
    public func close() async {
        runner.cancel()
        await runner.value
    }

    // MARK: - Migrations

    private static func migrate(_ connection: PostgresConnection, url: PostgresLedgerURL) async throws {
        let known = Set(migrations.map(\.name))
        // Without the lock first: a database that is up to date needs no write (nor the right to create).
        if let applied = try await appliedMigrations(connection) {
            try refuseUnknown(applied.subtracting(known), url: url)
            if applied.isSuperset(of: known) { return }
        }
        try await transaction(connection) { connection in
            try await connection.query("SELECT pg_advisory_xact_lock(\(migrationLock))", logger: quiet)
            try await connection.query(
                """
                CREATE TABLE IF NOT EXISTS greenlight_ledger_migration (
                    name TEXT PRIMARY KEY,
                    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
                )
                """, logger: quiet)
            let applied = try await appliedMigrations(connection) ?? []
            try refuseUnknown(applied.subtracting(known), url: url)
            for migration in migrations where !applied.contains(migration.name) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: quiet)
                }
                try await connection.query(
                    "INSERT INTO greenlight_ledger_migration (name) VALUES (\(migration.name))", logger: quiet)
            }
        }
    }

    /// The names of the migrations applied, or nil when the database has no ledger yet.
    private static func appliedMigrations(_ connection: PostgresConnection) async throws -> Set<String>? {
        var exists = false
        for try await row in try await connection.query(
            "SELECT to_regclass('greenlight_ledger_migration') IS NOT NULL", logger: quiet)
        {
            exists = try row.decode(Bool.self)
        }
        guard exists else { return nil }
        var names: Set<String> = []
        for try await row in try await connection.query("SELECT name FROM greenlight_ledger_migration", logger: quiet) {
            names.insert(try row.decode(String.self))
        }
        return names
    }

    private static func refuseUnknown(_ unknown: Set<String>, url: PostgresLedgerURL) throws {
        guard !unknown.isEmpty else { return }
        throw LedgerError(
            .newerFormat,
            "the ledger \(url) was written by a newer greenlight (migrations \(unknown.sorted().joined(separator: ", "))); upgrade greenlight"
        )
    }

    // MARK: - Appending and reading

    public func append(
        kind: LedgerRecord.Kind, release: String?, payload: JSONValue, signature: LedgerSignature?, at time: Date
    ) async throws -> LedgerRecord {
        let stored = try LedgerPayload.canonical(payload)
        let time = LedgerTime.truncated(time)
        let timeText = LedgerTime.string(time)
        let signatureText = signature?.bytes.base64EncodedString()
        let keyID = signature?.keyID
        do {
            return try await client.withConnection { connection in
                try await Self.transaction(connection) { connection in
                    // Appenders in every process wait here for each other; readers never wait. An advisory lock
                    // needs no privilege beyond INSERT and SELECT (LOCK TABLE ... EXCLUSIVE would need UPDATE).
                    try await connection.query("SELECT pg_advisory_xact_lock(\(Self.appendLock))", logger: Self.quiet)
                    let head = try await Self.head(connection)
                    var next = LedgerRecord(
                        sequence: head.count + 1, kind: kind, release: release, time: time, payload: stored.value,
                        previousHash: head.hash, hash: "", signature: signature)
                    next.hash = next.computeHash()
                    try await connection.query(
                        """
                        INSERT INTO ledger_record
                            (sequence, kind, release, time, payload, previous_hash, hash, signature, signer_key_id)
                        VALUES (\(next.sequence), \(kind.rawValue), \(release), \(timeText), \(stored.text),
                            \(next.previousHash), \(next.hash), \(signatureText), \(keyID))
                        """, logger: Self.quiet)
                    return next
                }
            }
        } catch {
            throw LedgerError(.storage, "cannot append to the ledger \(url): \(Self.describe(error, url))")
        }
    }

    public func records(from sequence: Int, limit: Int) async throws -> [LedgerRecord] {
        try await select(
            "SELECT \(unescaped: LedgerRow.columns) FROM ledger_record WHERE sequence >= \(sequence) ORDER BY sequence LIMIT \(limit)"
        )
    }

    public func records(release: String?, kind: LedgerRecord.Kind?, after sequence: Int, limit: Int) async throws
        -> [LedgerRecord]
    {
        let columns = LedgerRow.columns
        // Four shapes of one query, each served by the (release, kind, sequence) index.
        let query: PostgresQuery
        switch (release, kind?.rawValue) {
        case (let release?, let kind?):
            query = """
                SELECT \(unescaped: columns) FROM ledger_record WHERE release = \(release) AND kind = \(kind)
                AND sequence > \(sequence) ORDER BY sequence LIMIT \(limit)
                """
        case (let release?, nil):
            query = """
                SELECT \(unescaped: columns) FROM ledger_record WHERE release = \(release)
                AND sequence > \(sequence) ORDER BY sequence LIMIT \(limit)
                """
        case (nil, let kind?):
            query = """
                SELECT \(unescaped: columns) FROM ledger_record WHERE release IS NULL AND kind = \(kind)
                AND sequence > \(sequence) ORDER BY sequence LIMIT \(limit)
                """
        case (nil, nil):
            query = """
                SELECT \(unescaped: columns) FROM ledger_record WHERE release IS NULL
                AND sequence > \(sequence) ORDER BY sequence LIMIT \(limit)
                """
        }
        return try await select(query)
    }

    public func latest(release: String, kind: LedgerRecord.Kind) async throws -> LedgerRecord? {
        try await select(
            """
            SELECT \(unescaped: LedgerRow.columns) FROM ledger_record WHERE release = \(release)
            AND kind = \(kind.rawValue) ORDER BY sequence DESC LIMIT 1
            """
        ).first
    }

    public func head() async throws -> LedgerHead {
        do {
            return try await client.withConnection { try await Self.head($0) }
        } catch {
            throw LedgerError(.storage, "cannot read the ledger \(url): \(Self.describe(error, url))")
        }
    }

    private func select(_ query: PostgresQuery) async throws -> [LedgerRecord] {
        var rows: [LedgerRow] = []
        do {
            for try await row in try await client.query(query, logger: Self.quiet) {
                let cells = row.makeRandomAccess()
                func text(_ index: Int) throws -> String? { try cells[index].decode(String?.self) }
                rows.append(
                    LedgerRow(
                        sequence: try cells[0].decode(Int.self), kind: try text(1), release: try text(2),
                        time: try text(3), payload: try text(4), previousHash: try text(5), hash: try text(6),
                        signature: try text(7), signerKeyID: try text(8)))
            }
        } catch {
            throw LedgerError(.storage, "cannot read the ledger \(url): \(Self.describe(error, url))")
        }
        return try rows.map { try $0.record() }
    }

    static func head(_ connection: PostgresConnection) async throws -> LedgerHead {
        var head = LedgerHead.empty
        for try await (sequence, hash) in try await connection.query(
            "SELECT sequence, hash FROM ledger_record ORDER BY sequence DESC LIMIT 1", logger: quiet
        ).decode((Int, String).self) {
            head = LedgerHead(count: sequence, hash: hash)
        }
        return head
    }

    /// Runs `body` in a transaction on `connection`: committed when it returns, rolled back when it throws
    /// (its error is the one thrown).
    private static func transaction<T>(
        _ connection: PostgresConnection, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await connection.query("BEGIN", logger: quiet)
        let value: T
        do {
            value = try await body(connection)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: quiet)
            throw error
        }
        try await connection.query("COMMIT", logger: quiet)
        return value
    }

    // MARK: - Connecting

    static func connectionConfiguration(_ url: PostgresLedgerURL) -> PostgresConnection.Configuration {
        var configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: connectionTLS(url.sslMode))
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = startupParameters
        return configuration
    }

    /// Set for every connection as it signs in: a commit returns only once it is flushed to the
    /// write-ahead log, whatever the server's, the database's or the role's default says (a client's
    /// setting overrides theirs), without a round trip per append.
    static let startupParameters = [("application_name", "greenlight-ledger"), ("synchronous_commit", "on")]

    static func clientConfiguration(_ url: PostgresLedgerURL) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS
        switch url.sslMode {
        case .disable: tls = .disable
        case .prefer: tls = .prefer(unverified)
        case .require: tls = .require(unverified)
        case .verifyFull: tls = .require(.makeClientConfiguration())
        }
        var configuration = PostgresClient.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
            tls: tls)
        configuration.options.connectTimeout = .seconds(10)
        configuration.options.additionalStartupParameters = startupParameters
        configuration.options.maximumConnections = 4
        return configuration
    }

    private static func connectionTLS(_ mode: PostgresLedgerURL.SSLMode) -> PostgresConnection.Configuration.TLS {
        // A TLS context that cannot be made leaves TLS off for prefer, and fails the connection for require.
        switch mode {
        case .disable: return .disable
        case .prefer: return (try? NIOSSLContext(configuration: unverified)).map { .prefer($0) } ?? .disable
        case .require:
            return (try? NIOSSLContext(configuration: unverified)).map { .require($0) }
                ?? .require(
                    try! NIOSSLContext(configuration: .makeClientConfiguration()))
        case .verifyFull: return .require(try! NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    /// TLS without checking the server's certificate: what libpq's `prefer` and `require` mean.
    private static var unverified: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.certificateVerification = .none
        return configuration
    }

    /// Why an operation failed, in a sentence, never with the password: SQLSTATE 28P01 a wrong password,
    /// 3D000 no such database, a refused connection naming host:port.
    static func describe(_ error: any Error, _ url: PostgresLedgerURL) -> String {
        url.masking(rawDescription(error, url))
    }

    private static func rawDescription(_ error: any Error, _ url: PostgresLedgerURL) -> String {
        switch error {
        case let error as LedgerError:
            return error.message
        case let error as PostgresTransactionError:
            if let inner = error.closureError ?? error.beginError ?? error.commitError {
                return rawDescription(inner, url)
            }
            return "\(error)"
        case let error as PSQLError:
            let state = error.serverInfo?[.sqlState] ?? ""
            let message = error.serverInfo?[.message] ?? ""
            switch error.code {
            case .server:
                switch state {
                case "28P01": return "password authentication failed for user \(url.user) (SQLSTATE 28P01)"
                case "28000": return "\(message) (SQLSTATE 28000)"
                case "3D000":
                    return "database \(url.database) does not exist on \(url.target); create it first (SQLSTATE 3D000)"
                default: return "\(message) (SQLSTATE \(state))"
                }
            case .connectionError:
                return error.underlying.map { rawDescription($0, url) } ?? "cannot connect to \(url.target)"
            case .sslUnsupported:
                return "\(url.target) does not support TLS, which sslmode=\(url.sslMode.rawValue) requires"
            case .authMechanismRequiresPassword:
                return "the server asks user \(url.user) for a password and the URL has none"
            case .serverClosedConnection, .uncleanShutdown:
                return "the connection to \(url.target) was closed"
            default:
                return "\(error.code)\(error.underlying.map { ": \($0)" } ?? "")"
            }
        case let error as NIOConnectionError:
            if let first = error.connectionErrors.first { return rawDescription(first.error, url) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return "host \(url.host) does not resolve" }
            return "cannot connect to \(url.target)"
        case let error as IOError:
            if error.errnoCode == ECONNREFUSED {
                return "connection refused by \(url.target) (is PostgreSQL running and listening there?)"
            }
            return "cannot connect to \(url.target): \(String(cString: strerror(error.errnoCode)))"
        case let error as ChannelError:
            if case .connectTimeout = error { return "timed out connecting to \(url.target)" }
            return "the connection to \(url.target) failed: \(error)"
        default:
            return "\(error)"
        }
    }

    /// postgres-nio logs nothing of ours: libraries never print.
    static let quiet = Logger(label: "greenlight.ledger", factory: { _ in SwiftLogNoOpLogHandler() })
}
