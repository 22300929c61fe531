import Foundation
import NIOCore
import NIOPosix
import Synchronization

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
private final class Race<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<Deadline.Outcome<T>, Never>?
        var outcome: Deadline.Outcome<T>?
        var cancellations: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())

    /// Returns false, having answered already, when the race was settled before it started.
    func arm(_ continuation: CheckedContinuation<Deadline.Outcome<T>, Never>) -> Bool {
        let settled: Deadline.Outcome<T>? = state.withLock { state in
            if let outcome = state.outcome { return outcome }
            state.continuation = continuation
            return nil
        }
        guard let settled else { return true }
        continuation.resume(returning: settled)
        return false
    }

    /// Runs `cancel` when the race is settled, or at once if it already is.
    func onSettle(_ cancel: @escaping @Sendable () -> Void) {
        let settled = state.withLock { state in
            if state.outcome != nil { return true }
            state.cancellations.append(cancel)
            return false
        }
        if settled { cancel() }
    }

    func settle(_ value: T?) {
        let instant = ContinuousClock.now
        let outcome = Deadline.Outcome(value: value, instant: instant)
        let won:
            (continuation: CheckedContinuation<Deadline.Outcome<T>, Never>?, cancellations: [@Sendable () -> Void])? =
                state.withLock { state in
                    guard state.outcome == nil else { return nil }
                    state.outcome = outcome
                    defer {
                        state.continuation = nil
                        state.cancellations = []
                    }
                    return (state.continuation, state.cancellations)
                }
        guard let won else { return }
        for cancel in won.cancellations { cancel() }
        won.continuation?.resume(returning: outcome)
    }
}
