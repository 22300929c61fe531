import NIOCore
import Synchronization

/// Ends a running load test early from outside, as Ctrl-C does: no arrival starts after it, requests
/// in flight get the request timeout to finish, and the result is marked stopped early with the reason.
public final class LoadStop: Sendable {
    private struct State {
        var request: (reason: String, at: UInt64)?
        var action: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())

    public init() {}

    /// Asks the run to stop now; only the first request counts.
    public func request(_ reason: String) {
        let action = state.withLock { state -> (@Sendable () -> Void)? in
            guard state.request == nil else { return nil }
            state.request = (reason, NIODeadline.now().uptimeNanoseconds)
            return state.action
        }
        action?()
    }

    /// The reason and the time (uptime nanoseconds) of the request, once one was made.
    var requested: (reason: String, at: UInt64)? { state.withLock { $0.request } }

    /// Runs `action` when the stop is requested, or at once if it already was.
    func whenRequested(_ action: @escaping @Sendable () -> Void) {
        let now = state.withLock { state -> Bool in
            if state.request != nil { return true }
            state.action = action
            return false
        }
        if now { action() }
    }
}
