import Synchronization

/// The shop's advertised API quota: a counter per fixed one-minute window, reported in `RateLimit-*` headers.
///
/// It only informs; requests over the quota are still served so load tests measure the service, not the limiter.
final class RateLimiter: Sendable {
    struct Quota: Equatable, Sendable {
        var limit: Int
        var remaining: Int
        /// Whole seconds until the window resets.
        var resetSeconds: Int
    }

    private struct Window: Sendable {
        var start: ContinuousClock.Instant
        var used: Int
    }

    let limit: Int
    let window: Duration
    private let state: Mutex<Window>

    init(limit: Int = 1000, window: Duration = .seconds(60), now: ContinuousClock.Instant = .now) {
        self.limit = limit
        self.window = window
        self.state = Mutex(Window(start: now, used: 0))
    }

    /// Counts one API request and returns the quota left after it.
    func consume(now: ContinuousClock.Instant = .now) -> Quota {
        state.withLock { state in
            if now - state.start >= window {
                state = Window(start: now, used: 0)
            }
            state.used += 1
            let left = window - (now - state.start)
            let resetSeconds = Int(left.components.seconds) + (left.components.attoseconds > 0 ? 1 : 0)
            return Quota(limit: limit, remaining: max(0, limit - state.used), resetSeconds: resetSeconds)
        }
    }
}
