import Foundation

/// Runs work against a deadline and returns when the deadline passes, whether or not the work
/// noticed: the work is cancelled and left to finish on its own.
enum Deadline {
    /// The value of `operation`, or nil when `deadline` came first or the caller was cancelled.
    static func race<T: Sendable>(
        until deadline: ContinuousClock.Instant, _ operation: @escaping @Sendable () async -> T
    ) async -> T? {
        let race = Race<T>()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                guard race.arm(continuation) else { return }
                race.add(Task { race.settle(await operation()) })
                race.add(
                    Task {
                        try? await Task.sleep(until: deadline, clock: .continuous)
                        race.settle(nil)
                    })
            }
        } onCancel: {
            race.settle(nil)
        }
    }
}

/// The first of the work and the timer to settle wins; the other is cancelled.
private final class Race<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T?, Never>?
    private var outcome: T??
    private var tasks: [Task<Void, Never>] = []

    /// Returns false, having answered already, when the race was settled before it started.
    func arm(_ continuation: CheckedContinuation<T?, Never>) -> Bool {
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

    func add(_ task: Task<Void, Never>) {
        lock.lock()
        let settled = outcome != nil
        if !settled { tasks.append(task) }
        lock.unlock()
        if settled { task.cancel() }
    }

    func settle(_ value: T?) {
        lock.lock()
        guard outcome == nil else {
            lock.unlock()
            return
        }
        outcome = .some(value)
        let continuation = self.continuation
        let tasks = self.tasks
        self.continuation = nil
        self.tasks = []
        lock.unlock()
        for task in tasks { task.cancel() }
        continuation?.resume(returning: value)
    }
}
