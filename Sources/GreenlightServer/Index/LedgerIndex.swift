package import Foundation
import GreenlightCanary
import GreenlightJSON
import GreenlightLedger

/// What the server knows of one release, kept up to date record by record.
struct ReleaseState: Sendable {
    var name: String
    var entry: ReleaseEntry?
    var report: (sequence: Int, time: Date, entry: ReportEntry)?
    var signOffs: [LedgerRecord] = []
    var rollout: [(record: LedgerRecord, event: RolloutEvent)] = []
    var lastGate: LedgerRecord?
    /// The newest record of the release: the list is ordered by it.
    var lastSequence = 0

    /// The canary's weight after the last rollout event, if any.
    var weight: Double? { rollout.last?.event.to }

    /// none, running, promoted or rolled-back: from the last event that starts or ends a rollout.
    var rolloutState: String {
        guard !rollout.isEmpty else { return "none" }
        let ends: Set<RolloutEvent.Action> = [.start, .rollback, .promote]
        switch rollout.last(where: { ends.contains($0.event.action) })?.event.action {
        case .promote?: return "promoted"
        case .rollback?: return "rolled-back"
        default: return "running"
        }
    }
}

/// The ledger as the server serves it: read once from the start, then only the records appended since,
/// whenever the head moved. Every read endpoint starts here, so that a read costs one look at the head
/// when nothing changed. Derived answers (gate decisions, encoded pages) are cached by head.
actor LedgerIndex {
    struct State: Sendable {
        var head = LedgerHead.empty
        var access = AccessDirectory()
        var releases: [String: ReleaseState] = [:]
    }

    let ledger: ReleaseLedger
    private var state = State()
    private var refreshing: Task<State, any Error>?
    private var cache: [String: (count: Int, value: any Sendable)] = [:]

    init(ledger: ReleaseLedger) { self.ledger = ledger }

    /// The state a request started from: the token check reads the head once and the handler reuses it,
    /// rather than asking the store a second time.
    @TaskLocal static var requestState: State?

    /// The state as of the ledger's head now (within an API request: as of the request's start).
    func current() async throws -> State {
        if let requested = Self.requestState { return requested }
        if let refreshing { return try await refreshing.value }
        let head = try await ledger.store.head()
        // Another call may have started a refresh while this one read the head.
        if let refreshing { return try await refreshing.value }
        if head.count <= state.head.count { return state }
        let task = Task { [state, store = ledger.store] in try await Self.advance(state, to: head, store: store) }
        refreshing = task
        defer { refreshing = nil }
        let next = try await task.value
        // Never backwards.
        if next.head.count > state.head.count { state = next }
        return state
    }

    /// Who may call.
    func access() async throws -> AccessDirectory { try await current().access }

    /// A value derived from the ledger, computed once per head: `key` names it.
    func cached<T: Sendable>(_ key: String, _ make: (State) async throws -> T) async throws -> T {
        let now = try await current()
        if let hit = cache[key], hit.count == now.head.count, let value = hit.value as? T { return value }
        let value = try await make(now)
        if cache.count > 4096 { cache.removeAll() }
        cache[key] = (now.head.count, value)
        return value
    }

    private static func advance(_ state: State, to head: LedgerHead, store: any LedgerStore) async throws -> State {
        var state = state
        while state.head.count < head.count {
            let page = try await store.records(from: state.head.count + 1, limit: 1024)
            guard let last = page.last else { break }
            for record in page { apply(record, to: &state) }
            // The head is the last record applied, never one read separately: a record appended between a
            // page and a separate read of the head would be counted and never applied.
            state.head = LedgerHead(count: last.sequence, hash: last.hash)
        }
        return state
    }

    private static func apply(_ record: LedgerRecord, to state: inout State) {
        state.access.learn(record)
        guard let name = record.release else { return }
        var release = state.releases[name] ?? ReleaseState(name: name)
        release.lastSequence = record.sequence
        switch record.kind {
        case .release:
            release.entry = try? ReleaseEntry.read(record)
        case .report:
            if let entry = try? ReportEntry.read(record) { release.report = (record.sequence, record.time, entry) }
        case .signoff:
            release.signOffs.append(record)
        case .rolloutEvent:
            if let event = RolloutEvent(record: record) { release.rollout.append((record, event)) }
        case .gate:
            release.lastGate = record
        default:
            break
        }
        state.releases[name] = release
    }
}
