import Foundation
import GreenlightJSON

/// Where records are kept: appended one at a time at the head of the chain, never changed or removed.
///
/// An implementation numbers each appended record one past the head and links it to the head's hash
/// inside the same write transaction, so appenders in several processes keep one linear chain.
public protocol LedgerStore: Sendable {
    /// Appends one record at `time` (kept to the millisecond) in its own durable transaction and returns
    /// it as stored. `signature`, when given, must cover ``LedgerRecord/signedContent(kind:release:payload:)``;
    /// the store keeps it without judging it.
    func append(
        kind: LedgerRecord.Kind, release: String?, payload: JSONValue, signature: LedgerSignature?, at time: Date
    ) async throws -> LedgerRecord

    /// Up to `limit` records in sequence order, starting at sequence `from` (or the first one after it
    /// when `from` itself is missing). Throws `LedgerError.Code.unreadableRecord` for a
    /// stored row that is not a record.
    func records(from sequence: Int, limit: Int) async throws -> [LedgerRecord]

    /// The records of `release` (nil: the ledger-wide records, such as signers and the admin key), only
    /// those of `kind` when given, with a sequence number above `sequence`, in sequence order, up to
    /// `limit`. Served from an index on (release, kind, sequence), so that the gate reads only what it
    /// needs from a large ledger.
    func records(release: String?, kind: LedgerRecord.Kind?, after sequence: Int, limit: Int) async throws
        -> [LedgerRecord]

    /// The newest record of `kind` for `release`, if any.
    func latest(release: String, kind: LedgerRecord.Kind) async throws -> LedgerRecord?

    /// The head of the chain: the last sequence number and the last record's hash (``LedgerHead/empty``
    /// for an empty ledger).
    func head() async throws -> LedgerHead

    /// Lets go of the store's connections (a PostgreSQL store ends its client); the store is not used
    /// after. SQLite's closes with its last reference and does nothing here.
    func close() async
}

extension LedgerStore {
    public func close() async {}

    /// Every record of `release` (nil: the ledger-wide ones), only those of `kind` when given, after
    /// sequence `after`, in order: ``records(release:kind:after:limit:)`` read page by page.
    public func allRecords(release: String?, kind: LedgerRecord.Kind?, after: Int = 0) async throws
        -> [LedgerRecord]
    {
        var records: [LedgerRecord] = []
        var after = after
        while true {
            let page = try await self.records(release: release, kind: kind, after: after, limit: 1024)
            guard let last = page.last else { return records }
            records += page
            after = last.sequence
        }
    }

    /// Appends one record stamped with the current time.
    public func append(
        kind: LedgerRecord.Kind, release: String?, payload: JSONValue, signature: LedgerSignature? = nil
    ) async throws -> LedgerRecord {
        try await append(kind: kind, release: release, payload: payload, signature: signature, at: Date())
    }
}

/// The end of the chain: how many records it holds and the hash of the last one.
public struct LedgerHead: Sendable, Hashable, CustomStringConvertible {
    /// The number of records, which is the last record's sequence number.
    public var count: Int
    /// The last record's hash; ``LedgerRecord/genesisHash`` when there is none.
    public var hash: String

    public init(count: Int, hash: String) {
        self.count = count
        self.hash = hash
    }

    public static let empty = LedgerHead(count: 0, hash: LedgerRecord.genesisHash)

    public var description: String { "\(count) records, head \(hash)" }
}

/// A ledger that could not be opened, written or read: what went wrong and where.
public struct LedgerError: Error, Sendable, Hashable, CustomStringConvertible {
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }
        /// The ledger file or server could not be opened, migrated, read or written.
        public static let storage = Code("storage")
        /// A stored row is not a record this greenlight can read (an unknown kind, a malformed time or
        /// payload): it was written by hand or by a newer greenlight.
        public static let unreadableRecord = Code("unreadable record")
        /// The ledger's schema is newer than this greenlight knows.
        public static let newerFormat = Code("newer format")
        /// What was asked to be appended cannot be recorded as given.
        public static let invalidRecord = Code("invalid record")
        public var description: String { name }
    }

    public var code: Code
    /// What was wrong, where, and what to do.
    public var message: String
    /// The record concerned, when there is one.
    public var sequence: Int?

    public init(_ code: Code, _ message: String, sequence: Int? = nil) {
        self.code = code
        self.message = message
        self.sequence = sequence
    }

    public var description: String { message }
}
