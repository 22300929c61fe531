import Foundation
import GRDB
import GreenlightJSON

/// The ledger in one SQLite file, through GRDB: the default store, `.greenlight/ledger.sqlite` beside
/// the spec.
///
/// Durability: the file is in WAL mode with `synchronous = FULL`, so every append is its own transaction
/// and is on disk (the WAL fsynced) when ``append(kind:release:payload:signature:at:)`` returns; it
/// survives a crash of the process *and* of the machine. (`NORMAL` would only survive the process: in WAL
/// mode it fsyncs at checkpoints, and a power loss can take the last appends away.)
///
/// Several processes may append at once: each append takes the write lock first (`BEGIN IMMEDIATE`,
/// waiting up to ``busyTimeout`` for another writer), reads the head inside that transaction and writes
/// the next sequence number, so the chain stays linear. Triggers refuse any `UPDATE` or `DELETE` of a
/// record, whoever issues it.
public struct SQLiteLedgerStore: LedgerStore {
    /// How long an append waits for another process's write to finish.
    public static let busyTimeout: TimeInterval = 30

    /// The ledger file.
    public let path: String
    let pool: DatabasePool

    /// Opens the ledger at `path`, creating it (and its folder) if needed and bringing its schema up to
    /// date.
    public init(path: String) throws {
        self.path = path
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            var configuration = Configuration()
            configuration.busyMode = .timeout(Self.busyTimeout)
            configuration.prepareDatabase { db in
                try db.execute(sql: "PRAGMA synchronous = FULL")
            }
            pool = try Self.open(path: path, configuration: configuration)
        } catch {
            throw LedgerError(.storage, "cannot open the ledger \(path): \(Self.describe(error))")
        }
        try migrate()
    }

    /// Opens the pool, waiting out other processes that open the same new file at the same moment:
    /// switching a new file to WAL needs a moment alone, and SQLite answers "database is locked" at
    /// once there instead of waiting for the busy timeout.
    private static func open(path: String, configuration: Configuration) throws -> DatabasePool {
        let deadline = Date().addingTimeInterval(busyTimeout)
        while true {
            do {
                return try DatabasePool(path: path, configuration: configuration)
            } catch let error as DatabaseError
                where (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED) && Date() < deadline
            {
                Thread.sleep(forTimeInterval: Double.random(in: 0.005...0.05))
            }
        }
    }

    private func migrate() throws {
        let migrator = Self.migrator
        do {
            let unknown = try pool.read { db in
                try migrator.appliedIdentifiers(db).subtracting(migrator.migrations)
            }
            if !unknown.isEmpty {
                throw LedgerError(
                    .newerFormat,
                    "the ledger \(path) was written by a newer greenlight (migrations \(unknown.sorted().joined(separator: ", "))); upgrade greenlight"
                )
            }
            try migrator.migrate(pool)
        } catch let error as LedgerError {
            throw error
        } catch {
            // Another process may have applied the same migration between our check and our write; each
            // migration is one transaction, so the ledger is either migrated or untouched.
            if (try? pool.read(migrator.hasCompletedMigrations)) == true { return }
            throw LedgerError(.storage, "cannot prepare the ledger \(path): \(Self.describe(error))")
        }
    }

    public func append(
        kind: LedgerRecord.Kind, release: String?, payload: JSONValue, signature: LedgerSignature?, at time: Date
    ) async throws -> LedgerRecord {
        let stored = try LedgerPayload.canonical(payload)
        let time = LedgerTime.truncated(time)
        let timeText = LedgerTime.string(time)
        do {
            return try await pool.writeWithoutTransaction { db in
                var record: LedgerRecord?
                try db.inTransaction(.immediate) {
                    let head = try Self.head(db)
                    var next = LedgerRecord(
                        sequence: head.count + 1, kind: kind, release: release, time: time, payload: stored.value,
                        previousHash: head.hash, hash: "", signature: signature)
                    next.hash = next.computeHash()
                    try db.execute(
                        sql: """
                            INSERT INTO ledger_record
                                (sequence, kind, release, time, payload, previous_hash, hash, signature, signer_key_id)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            next.sequence, kind.rawValue, release, timeText, stored.text, next.previousHash,
                            next.hash, signature?.bytes.base64EncodedString(), signature?.keyID,
                        ])
                    record = next
                    return .commit
                }
                return record!
            }
        } catch {
            throw LedgerError(.storage, "cannot append to the ledger \(path): \(Self.describe(error))")
        }
    }

    public func records(from sequence: Int, limit: Int) async throws -> [LedgerRecord] {
        try await read { db in
            var records: [LedgerRecord] = []
            records.reserveCapacity(min(limit, 4096))
            let rows = try Row.fetchCursor(
                db, sql: "SELECT \(Self.columns) FROM ledger_record WHERE sequence >= ? ORDER BY sequence LIMIT ?",
                arguments: [sequence, limit])
            while let row = try rows.next() { records.append(try Self.record(row)) }
            return records
        }
    }

    public func records(release: String?, kind: LedgerRecord.Kind?, after sequence: Int, limit: Int) async throws
        -> [LedgerRecord]
    {
        var conditions = [release == nil ? "release IS NULL" : "release = ?"]
        var arguments: StatementArguments = release.map { [$0] } ?? []
        if let kind {
            conditions.append("kind = ?")
            arguments += [kind.rawValue]
        }
        conditions.append("sequence > ?")
        arguments += [sequence, limit]
        let sql = """
            SELECT \(Self.columns) FROM ledger_record WHERE \(conditions.joined(separator: " AND "))
            ORDER BY sequence LIMIT ?
            """
        return try await read { [arguments] db in
            var records: [LedgerRecord] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: arguments)
            while let row = try rows.next() { records.append(try Self.record(row)) }
            return records
        }
    }

    public func latest(release: String, kind: LedgerRecord.Kind) async throws -> LedgerRecord? {
        try await read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT \(Self.columns) FROM ledger_record WHERE release = ? AND kind = ?
                    ORDER BY sequence DESC LIMIT 1
                    """,
                arguments: [release, kind.rawValue]
            ).map(Self.record)
        }
    }

    public func head() async throws -> LedgerHead {
        try await read { try Self.head($0) }
    }

    private func read<T: Sendable>(_ body: @Sendable @escaping (Database) throws -> T) async throws -> T {
        do {
            return try readNow(body)
        } catch let error as LedgerError {
            throw error
        } catch {
            throw LedgerError(.storage, "cannot read the ledger \(path): \(Self.describe(error))")
        }
    }

    /// Reads on the calling thread. The ledger's reads are indexed lookups of a WAL file that take
    /// microseconds; hopping to GRDB's reader queue and back cost more than the read itself (a sign-off
    /// makes two reads before its append).
    private func readNow<T>(_ body: (Database) throws -> T) throws -> T {
        try pool.read(body)
    }

    static func head(_ db: Database) throws -> LedgerHead {
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT sequence, hash FROM ledger_record ORDER BY sequence DESC LIMIT 1")
        else { return .empty }
        return LedgerHead(count: row[0], hash: row[1])
    }

    static let columns = LedgerRow.columns

    /// A stored row as a record; a row that is not one throws `LedgerError.Code.unreadableRecord`
    /// naming its sequence number.
    static func record(_ row: Row) throws -> LedgerRecord {
        // Every column is read as a DatabaseValue and converted by hand: a hand-edited row may hold a
        // number where text belongs, which GRDB's typed subscripts would treat as a programming error.
        let sequence = Int.fromDatabaseValue(row[0] as DatabaseValue) ?? 0
        func text(_ index: Int, _ column: String) throws -> String? {
            let value: DatabaseValue = row[index]
            if value.isNull { return nil }
            guard case .string(let text) = value.storage else {
                throw LedgerRow.unreadable(sequence, "\(column) is not text")
            }
            return text
        }
        return try LedgerRow(
            sequence: sequence, kind: text(1, "kind"), release: text(2, "release"), time: text(3, "time"),
            payload: text(4, "payload"), previousHash: text(5, "previous_hash"), hash: text(6, "hash"),
            signature: text(7, "signature"), signerKeyID: text(8, "signer_key_id")
        ).record()
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError {
            return error.message ?? "\(error.resultCode)"
        }
        return "\(error)"
    }
}

extension SQLiteLedgerStore {
    /// Appends many records in one transaction: for filling large ledgers in benchmarks and tests, where
    /// one transaction per record would only measure the disk.
    package func appendAll(
        _ entries: [(kind: LedgerRecord.Kind, release: String?, payload: JSONValue, signature: LedgerSignature?)],
        at time: Date = Date()
    ) async throws {
        let time = LedgerTime.truncated(time)
        let timeText = LedgerTime.string(time)
        let stored = try entries.map { try LedgerPayload.canonical($0.payload) }
        try await pool.writeWithoutTransaction { db in
            try db.inTransaction(.immediate) {
                var head = try Self.head(db)
                let insert = try db.makeStatement(
                    sql: """
                        INSERT INTO ledger_record
                            (sequence, kind, release, time, payload, previous_hash, hash, signature, signer_key_id)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for (entry, payload) in zip(entries, stored) {
                    var next = LedgerRecord(
                        sequence: head.count + 1, kind: entry.kind, release: entry.release, time: time,
                        payload: payload.value, previousHash: head.hash, hash: "", signature: entry.signature)
                    next.hash = next.computeHash()
                    try insert.execute(arguments: [
                        next.sequence, entry.kind.rawValue, entry.release, timeText, payload.text, next.previousHash,
                        next.hash, entry.signature?.bytes.base64EncodedString(), entry.signature?.keyID,
                    ])
                    head = LedgerHead(count: next.sequence, hash: next.hash)
                }
                return .commit
            }
        }
    }
}
