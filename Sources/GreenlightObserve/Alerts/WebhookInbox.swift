import Synchronization

/// The notifications a webhook receiver took, the payloads it refused, and the checks waiting for a
/// notification.
final class WebhookInbox: Sendable {
    private struct Waiter {
        let match: @Sendable (ReceivedNotification) -> Bool
        let continuation: CheckedContinuation<ReceivedNotification?, Never>
        var timer: Task<Void, Never>?
    }

    private struct State {
        var received: [ReceivedNotification] = []
        var problems: [String] = []
        var waiters: [Int: Waiter] = [:]
        var nextWaiter = 0
    }

    private let state = Mutex(State())

    var notifications: [ReceivedNotification] { state.withLock { $0.received } }

    var problems: [String] { state.withLock { $0.problems } }

    /// Keeps `notification` and hands it to the waiters it matches.
    func record(_ notification: ReceivedNotification) {
        let matched = state.withLock { state -> [Waiter] in
            state.received.append(notification)
            let ids = state.waiters.filter { $0.value.match(notification) }.map(\.key)
            return ids.compactMap { state.waiters.removeValue(forKey: $0) }
        }
        for waiter in matched {
            waiter.timer?.cancel()
            waiter.continuation.resume(returning: notification)
        }
    }

    /// Keeps what was wrong with a payload that was refused.
    func refuse(_ problem: String) {
        state.withLock { $0.problems.append(problem) }
    }

    /// The first notification `match` accepts, received already or by `deadline`; nil past the
    /// deadline or on cancellation.
    func first(
        where match: @escaping @Sendable (ReceivedNotification) -> Bool, until deadline: ContinuousClock.Instant
    ) async -> ReceivedNotification? {
        let id = state.withLock { state in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let settled = state.withLock { state -> ReceivedNotification?? in
                    if let found = state.received.first(where: match) { return .some(found) }
                    if Task.isCancelled { return .some(nil) }
                    state.waiters[id] = Waiter(match: match, continuation: continuation)
                    return nil
                }
                if let settled { return continuation.resume(returning: settled) }
                let timer = Task {
                    try? await Task.sleep(until: deadline, clock: .continuous)
                    self.giveUp(id)
                }
                let gone = state.withLock { state -> Bool in
                    guard state.waiters[id] != nil else { return true }
                    state.waiters[id]?.timer = timer
                    return false
                }
                if gone { timer.cancel() }
            }
        } onCancel: {
            giveUp(id)
        }
    }

    /// Ends a wait without a notification, unless it has ended already.
    private func giveUp(_ id: Int) {
        let waiter = state.withLock { $0.waiters.removeValue(forKey: id) }
        waiter?.timer?.cancel()
        waiter?.continuation.resume(returning: nil)
    }
}
