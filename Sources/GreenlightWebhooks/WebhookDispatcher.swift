import Foundation
import GreenlightCore
import GreenlightHTTP
import GreenlightJSON
import GreenlightLedger
import Logging
import Synchronization

/// Tails a release ledger and delivers its events (reports, sign-offs, gate decisions, rollout steps,
/// rollbacks and promotions) to webhook targets, whoever wrote the records: the command line, a server,
/// CI on another machine.
///
/// ``run()`` polls for records after its cursor and hands each event to one queue per target, so that a
/// slow or dead target delays only its own deliveries. Delivery is at least once: the cursor saved in
/// the state file only moves past a record once every target is done with it (delivered, failed or
/// skipped), so a crash or a restart may deliver an event again (with the same id), never lose it.
/// The recent deliveries, and how many failed, are kept in memory for a dashboard.
public final class WebhookDispatcher: Sendable {
    public struct Configuration: Sendable {
        /// How long to wait for new records when the ledger has none.
        public var pollInterval: Duration
        public var retry: WebhookRetryPolicy
        /// One attempt's deadline: connect, send, and the whole response.
        public var requestTimeout: Duration
        /// The state file keeping the cursor across restarts; nil keeps it in memory only.
        public var statePath: String?
        /// With no state file, deliver the ledger's whole history instead of starting at its head.
        public var fromStart: Bool
        /// How many deliveries ``deliveries()`` keeps.
        public var historyLimit: Int

        public init(
            pollInterval: Duration = .milliseconds(500), retry: WebhookRetryPolicy = WebhookRetryPolicy(),
            requestTimeout: Duration = .seconds(10), statePath: String? = nil, fromStart: Bool = false,
            historyLimit: Int = 200
        ) {
            self.pollInterval = pollInterval
            self.retry = retry
            self.requestTimeout = requestTimeout
            self.statePath = statePath
            self.fromStart = fromStart
            self.historyLimit = max(1, historyLimit)
        }
    }

    public let targets: [WebhookTarget]
    public let configuration: Configuration
    private let store: any LedgerStore
    private let logger: Logger
    private let state = Mutex(DispatchState())

    /// Records read per poll.
    static let batch = 256

    /// Throws ``WebhookConfigurationError`` for a target that cannot be used or a name given twice.
    public init(
        store: any LedgerStore, targets: [WebhookTarget], configuration: Configuration = Configuration(),
        logger: Logger = Logger(label: "greenlight.webhooks")
    ) throws {
        var names: Set<String> = []
        for target in targets {
            try target.validate()
            guard names.insert(target.name).inserted else {
                throw WebhookConfigurationError("two webhooks are named '\(target.name)'; give each its own name")
            }
        }
        self.store = store
        self.targets = targets
        self.configuration = configuration
        self.logger = logger
    }

    /// The recent deliveries, oldest first, one entry per event and target (updated as it is retried).
    public func deliveries() -> [WebhookDelivery] { state.withLock { $0.history } }

    /// How many deliveries failed since the dispatcher started (more than ``deliveries()`` may still hold).
    public var failureCount: Int { state.withLock { $0.failures } }

    /// The last sequence every target is done with: what the state file holds.
    public var cursor: Int { state.withLock { $0.settled } }

    /// Tails the ledger and delivers until the task is cancelled; call it once. Throws only when it cannot
    /// start: the state file is not a cursor, or the ledger's head cannot be read.
    public func run() async throws {
        let start = try await startCursor()
        state.withLock {
            $0.tail = start
            $0.settled = start
        }
        let session = try HTTPSession()
        logger.info(
            "webhooks: tailing the ledger after record \(start) for \(Format.count(targets.count, "target"))",
            metadata: ["targets": .string(targets.map(\.description).joined(separator: ", "))])
        await withTaskGroup(of: Void.self) { group in
            var queues: [(target: WebhookTarget, events: AsyncStream<WebhookEvent>.Continuation)] = []
            for target in targets {
                let (stream, continuation) = AsyncStream.makeStream(of: WebhookEvent.self)
                queues.append((target, continuation))
                group.addTask {
                    for await event in stream {
                        // Cut short by a stop, it stays pending: the cursor does not pass it.
                        guard await self.deliver(event, to: target, session: session) else { return }
                        self.finished(event.sequence)
                    }
                }
            }
            await tail(after: start, queues: queues)
            for queue in queues { queue.events.finish() }
        }
        await session.shutdown()
    }

    /// Where to start: after the state file's sequence, else after the head (or from the first record).
    private func startCursor() async throws -> Int {
        let head = try await store.head()
        let file = configuration.statePath.map(WebhookCursorFile.init(path:))
        guard let saved = try file?.read() else {
            let start = configuration.fromStart ? 0 : head.count
            try file?.write(start)
            return start
        }
        if saved > head.count {
            logger.warning(
                "webhooks: the state file's cursor (\(saved)) is past the ledger's head (\(head.count)): another ledger? starting at its head"
            )
            try file?.write(head.count)
            return head.count
        }
        return saved
    }

    /// Reads records after `start` until cancelled, queueing each event for the targets that want it.
    private func tail(
        after start: Int, queues: [(target: WebhookTarget, events: AsyncStream<WebhookEvent>.Continuation)]
    ) async {
        var cursor = start
        var tickets: [String: String?] = [:]
        while !Task.isCancelled {
            var more = false
            do {
                let records = try await store.records(from: cursor + 1, limit: Self.batch)
                for record in records {
                    // A record whose ticket cannot be read yet is read again at the next poll.
                    try await queue(record, into: queues, tickets: &tickets)
                    cursor = record.sequence
                }
                more = records.count == Self.batch
            } catch {
                logger.warning("webhooks: reading the ledger after record \(cursor) failed, trying again: \(error)")
            }
            advanceTail(to: cursor)
            if !more {
                do { try await Task.sleep(for: configuration.pollInterval) } catch { return }
            }
        }
    }

    /// Queues the event of `record`, if it is one, for the targets that want it; a `release` record
    /// updates the release's ticket.
    private func queue(
        _ record: LedgerRecord, into queues: [(target: WebhookTarget, events: AsyncStream<WebhookEvent>.Continuation)],
        tickets: inout [String: String?]
    ) async throws {
        guard let release = record.release else { return }
        if record.kind == .release {
            tickets[release] = Self.ticket(of: record)
            return
        }
        guard let kind = WebhookEvent.kind(of: record) else { return }
        let wanting = queues.filter { $0.target.wants(kind) }
        guard !wanting.isEmpty else { return }
        if tickets.index(forKey: release) == nil {
            tickets[release] = try await store.latest(release: release, kind: .release).flatMap(Self.ticket(of:))
        }
        guard let event = WebhookEvent(record: record, ticket: tickets[release] ?? nil) else { return }
        state.withLock { $0.pending[record.sequence] = wanting.count }
        for queue in wanting { queue.events.yield(event) }
    }

    static func ticket(of record: LedgerRecord) -> String? {
        if case .string(let ticket)? = record.payload["ticket"], !ticket.isEmpty { return ticket }
        return nil
    }

    // MARK: - Delivery

    /// Delivers `event` to `target`, retrying as the policy says, and records each change of state.
    /// Returns false when the task was cancelled before the delivery was done with.
    func deliver(_ event: WebhookEvent, to target: WebhookTarget, session: HTTPSession) async -> Bool {
        let redactor = Redactor(secrets: target.secrets)
        let policy = configuration.retry
        var delivery = WebhookDelivery(
            eventID: event.id, event: event.kind, release: event.release, sequence: event.sequence,
            target: target.name, status: .retrying, attempts: 0, httpStatus: nil, error: nil, time: Date())
        let about: Logger.Metadata = [
            "webhook": .string(target.name), "event": .string(event.id), "type": .string(event.kind.rawValue),
        ]
        for attempt in 1...policy.attempts {
            let request: HTTPRequestRecord
            do {
                request = try target.request(for: event)
            } catch {
                delivery.status = .skipped
                delivery.error = redactor.redact(String(describing: error))
                delivery.time = Date()
                record(delivery)
                logger.info("webhooks: skipped: \(delivery.error ?? "")", metadata: about)
                return true
            }
            delivery.attempts = attempt
            var retryable = true
            var retryAfter: String?
            do {
                let response = try await session.send(request, timeout: configuration.requestTimeout)
                delivery.httpStatus = response.status
                if (200..<300).contains(response.status) {
                    delivery.status = .delivered
                    delivery.error = nil
                    delivery.time = Date()
                    record(delivery)
                    logger.debug("webhooks: delivered (HTTP \(response.status), attempt \(attempt))", metadata: about)
                    return true
                }
                let body = response.bodyText.trimmingCharacters(in: .whitespacesAndNewlines)
                delivery.error = redactor.cut(
                    "HTTP \(response.status)" + (body.isEmpty ? "" : ": \(body)"), toUTF8Count: 300)
                retryable = WebhookRetryPolicy.isRetryable(status: response.status)
                retryAfter = response.header("Retry-After")
            } catch {
                if Task.isCancelled { return false }
                delivery.httpStatus = nil
                delivery.error = redactor.redact(String(describing: error))
            }
            delivery.time = Date()
            guard retryable, attempt < policy.attempts else {
                delivery.status = .failed
                record(delivery)
                logger.warning(
                    "webhooks: delivery failed after \(Format.count(attempt, "attempt")): \(delivery.error ?? "")",
                    metadata: about)
                return true
            }
            delivery.status = .retrying
            record(delivery)
            let delay = policy.delay(after: attempt, retryAfter: retryAfter)
            logger.info(
                "webhooks: attempt \(attempt) failed (\(delivery.error ?? "")), retrying in \(Format.duration(Self.seconds(delay)))",
                metadata: about)
            do { try await Task.sleep(for: delay) } catch { return false }
        }
        return true
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    // MARK: - State

    /// Keeps `delivery` in the history, in place of the same event's earlier state at the same target.
    private func record(_ delivery: WebhookDelivery) {
        let limit = configuration.historyLimit
        state.withLock { state in
            if delivery.status == .failed { state.failures += 1 }
            if let index = state.history.lastIndex(where: {
                $0.eventID == delivery.eventID && $0.target == delivery.target
            }) {
                state.history[index] = delivery
            } else {
                state.history.append(delivery)
                if state.history.count > limit { state.history.removeFirst(state.history.count - limit) }
            }
        }
    }

    /// One target is done with the event of record `sequence`.
    private func finished(_ sequence: Int) {
        settle { state in
            if let left = state.pending[sequence] {
                state.pending[sequence] = left > 1 ? left - 1 : nil
            }
        }
    }

    /// Every record up to `sequence` has been read and its events queued.
    private func advanceTail(to sequence: Int) {
        settle { $0.tail = max($0.tail, sequence) }
    }

    /// Applies `change`, then moves the settled cursor to just before the oldest event still pending (or
    /// to the tail), writing the state file when it moved. The write happens under the lock so that
    /// writes never overtake each other; the file is a few bytes.
    private func settle(_ change: (inout DispatchState) -> Void) {
        let file = configuration.statePath.map(WebhookCursorFile.init(path:))
        let failure: String? = state.withLock { state in
            change(&state)
            let settled = state.pending.keys.min().map { $0 - 1 } ?? state.tail
            guard settled > state.settled else { return nil }
            state.settled = settled
            do {
                try file?.write(settled)
                return nil
            } catch {
                return "\(error)"
            }
        }
        if let failure { logger.warning("webhooks: the state file cannot be written: \(failure)") }
    }
}

/// What the dispatcher's tasks share.
struct DispatchState: Sendable {
    /// The last record read and queued.
    var tail = 0
    /// The last sequence every target is done with.
    var settled = 0
    /// Records whose event is queued or being delivered, with how many targets are not done with it.
    var pending: [Int: Int] = [:]
    var history: [WebhookDelivery] = []
    var failures = 0
}
