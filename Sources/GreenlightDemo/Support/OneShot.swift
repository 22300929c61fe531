import Synchronization

/// A result delivered once and awaited by any number of tasks; later deliveries are ignored.
final class OneShot<Value: Sendable>: Sendable {
    private enum State {
        case waiting([CheckedContinuation<Value, any Error>])
        case resolved(Result<Value, any Error>)
    }

    private let state = Mutex(State.waiting([]))

    func resolve(_ result: Result<Value, any Error>) {
        let waiters: [CheckedContinuation<Value, any Error>] = state.withLock { state in
            guard case .waiting(let waiters) = state else { return [] }
            state = .resolved(result)
            return waiters
        }
        for waiter in waiters {
            waiter.resume(with: result)
        }
    }

    func value() async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            let resolved: Result<Value, any Error>? = state.withLock { state in
                switch state {
                case .waiting(let waiters):
                    state = .waiting(waiters + [continuation])
                    return nil
                case .resolved(let result):
                    return result
                }
            }
            if let resolved {
                continuation.resume(with: resolved)
            }
        }
    }
}
