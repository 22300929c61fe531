import Foundation
import NIOCore
import NIOPosix

/// Runs work against a deadline and returns when the deadline passes, whether or not the work
/// noticed: the work is cancelled and left to finish on its own.
///
/// The deadline is a timer on an event loop, not a sleeping task, so it fires on time even when
/// every concurrency thread is busy.
enum Deadline {
    /// What the race came to: the work's value, or nil when the deadline came first or the caller
    /// was cancelled; and when that was decided.
    struct Outcome<T: Sendable>: Sendable {
        var value: T?
        var instant: ContinuousClock.Instant
    }

    static func race<T: Sendable>(
        until deadline: ContinuousClock.Instant, _ operation: @escaping @Sendable () async -> T
    ) async -> Outcome<T> {
        let race = Race<T>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard race.arm(continuation) else { return }
                let left = deadline - .now
                let nanoseconds = left.components.seconds * 1_000_000_000 + left.components.attoseconds / 1_000_000_000
                let timer = MultiThreadedEventLoopGroup.singleton.next().scheduleTask(in: .nanoseconds(nanoseconds)) {
                    race.settle(nil)
                }
                race.onSettle { timer.cancel() }
                let work = probeTask { race.settle(await operation()) }
                race.onSettle { work.cancel() }
            }
        } onCancel: {
            race.settle(nil)
        }
    }
}

/// The first of the work and the timer to settle wins; the other is cancelled.
private final class Race<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<Deadline.Outcome<T>, Never>?
    private var outcome: Deadline.Outcome<T>?
    private var cancellations: [@Sendable () -> Void] = []

    /// Returns false, having answered already, when the race was settled before it started.
    func arm(_ continuation: CheckedContinuation<Deadline.Outcome<T>, Never>) -> Bool {
        lock.lock()
        if let outcome {
            lock.unlock()
            continuation.resume(returning: outcome)
            return false
        }
        self.continuation = continuation
        lock.unlock()
        return true
    }

    /// Runs `cancel` when the race is settled, or at once if it already is.
    func onSettle(_ cancel: @escaping @Sendable () -> Void) {
        lock.lock()
        let settled = outcome != nil
        if !settled { cancellations.append(cancel) }
        lock.unlock()
        if settled { cancel() }
    }

    func settle(_ value: T?) {
        let instant = ContinuousClock.now
        lock.lock()
        guard outcome == nil else {
            lock.unlock()
            return
        }
        let outcome = Deadline.Outcome(value: value, instant: instant)
        self.outcome = outcome
        let continuation = self.continuation
        let cancellations = self.cancellations
        self.continuation = nil
        self.cancellations = []
        lock.unlock()
        for cancel in cancellations { cancel() }
        continuation?.resume(returning: outcome)
    }
}
