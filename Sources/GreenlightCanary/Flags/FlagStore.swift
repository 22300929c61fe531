import Foundation
import GreenlightJSON
import GreenlightLedger
import Synchronization

/// A flag as the ledger last recorded it: the flag after the change, and the change.
public struct FlagEntry: Sendable, Hashable {
    public var flag: FeatureFlag
    /// The `flag-change` record's sequence number.
    public var sequence: Int
    public var time: Date
    /// `set` or `kill`.
    public var action: String
    /// Who made the change, and why, as they said.
    public var by: String
    public var reason: String?
}

/// Every flag's current state: the latest `flag-change` record of each key, up to ``sequence``.
public struct FlagSnapshot: Sendable {
    public var entries: [String: FlagEntry] = [:]
    /// The sequence of the last ledger record read (0: none yet).
    public var sequence: Int = 0
    /// The sequence of the last flag change (0: none); the ETag is made of it.
    public var lastChange: Int = 0
    /// Records that could not be read as flag changes (written by hand or by a newer greenlight).
    public var problems: [String] = []

    public init() {}

    public subscript(key: String) -> FeatureFlag? { entries[key]?.flag }

    /// The flags in key order.
    public var flags: [FeatureFlag] { entries.values.map(\.flag).sorted { $0.key < $1.key } }

    /// A strong HTTP entity tag for the flag set: the last flag change's sequence number, quoted.
    public var etag: String { "\"\(lastChange)\"" }

    /// Applies one `flag-change` record.
    mutating func apply(_ record: LedgerRecord) {
        sequence = max(sequence, record.sequence)
        guard record.kind == .flagChange else { return }
        do {
            let entry = try FlagStore.entry(record)
            entries[entry.flag.key] = entry
            lastChange = record.sequence
        } catch {
            problems.append("record \(record.sequence) is not a readable flag change: \(error)")
        }
    }
}

/// The flags kept in a ledger. Each `set` or `kill` appends a ledger-wide `flag-change` record whose
/// payload holds the whole flag after the change (with who and why); a flag's state is its latest record.
///
/// A process keeps a ``snapshot`` and ``refresh()``es it by reading only the flag changes recorded after
/// the last one it read (the ledger's (release, kind, sequence) index serves that read).
public final class FlagStore: Sendable {
    public let ledger: any LedgerStore
    private let current = Mutex(FlagSnapshot())
    /// One refresh at a time: two would read the same records twice.
    private let refreshing = RefreshGate()

    public init(ledger: any LedgerStore) { self.ledger = ledger }

    /// The flags as last read (call ``refresh()`` first for the ledger's latest).
    public var snapshot: FlagSnapshot { current.withLock { $0 } }

    /// Reads the flag changes recorded since the last read and returns the new snapshot.
    @discardableResult
    public func refresh() async throws -> FlagSnapshot {
        try await refreshing.run {
            var next = snapshot
            while true {
                let batch = try await ledger.records(
                    release: nil, kind: .flagChange, after: next.sequence, limit: 1024)
                guard !batch.isEmpty else { break }
                for record in batch { next.apply(record) }
            }
            let settled = next
            current.withLock { stored in
                if settled.sequence > stored.sequence { stored = settled }
            }
            return snapshot
        }
    }

    /// Records `flag` as set (a new flag, or a new definition of one). A killed flag is refused unless
    /// `revive` is true: setting it again is how a kill is undone, deliberately.
    @discardableResult
    public func set(_ flag: FeatureFlag, by: String, reason: String? = nil, revive: Bool = false) async throws
        -> FlagEntry
    {
        var flag = flag
        flag.killed = false
        try flag.validate()
        let existing = try await refresh()[flag.key]
        if let existing, existing.killed, !revive {
            throw FlagError(
                "flag \(flag.key) is killed; setting it again serves its variants again: add --revive to mean it")
        }
        return try await append(flag, action: "set", by: by, reason: reason)
    }

    /// Kills `key`: from now on every evaluation serves its kill variant. Returns nil when it already was.
    @discardableResult
    public func kill(_ key: String, by: String, reason: String? = nil) async throws -> FlagEntry? {
        guard var flag = try await refresh()[key] else {
            throw FlagError("there is no flag \(key) to kill (greenlight flag list shows the flags)")
        }
        if flag.killed { return nil }
        flag.killed = true
        return try await append(flag, action: "kill", by: by, reason: reason)
    }

    private func append(_ flag: FeatureFlag, action: String, by: String, reason: String?) async throws -> FlagEntry {
        var payload: [(String, JSONValue)] = [
            ("action", .string(action)), ("by", .string(by)), ("flag", flag.json),
        ]
        if let reason, !reason.isEmpty { payload.append(("reason", .string(reason))) }
        let record = try await ledger.append(kind: .flagChange, release: nil, payload: .object(payload))
        try await refresh()
        return try Self.entry(record)
    }

    /// The flag change a `flag-change` record holds.
    static func entry(_ record: LedgerRecord) throws -> FlagEntry {
        guard let json = record.payload["flag"] else { throw FlagError("it holds no flag") }
        let flag = try FeatureFlag(json: json)
        func text(_ name: String) -> String? {
            if case .string(let value)? = record.payload[name] { return value }
            return nil
        }
        return FlagEntry(
            flag: flag, sequence: record.sequence, time: record.time, action: text("action") ?? "set",
            by: text("by") ?? "unknown", reason: text("reason"))
    }
}

/// Runs one operation at a time, in arrival order.
private actor RefreshGate {
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        if busy {
            await withCheckedContinuation { waiting.append($0) }
        } else {
            busy = true
        }
        defer {
            if waiting.isEmpty { busy = false } else { waiting.removeFirst().resume() }
        }
        return try await body()
    }
}
