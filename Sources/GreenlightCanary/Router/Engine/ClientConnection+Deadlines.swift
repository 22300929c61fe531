#if os(Linux)
import CGreenlightEpoll
import GreenlightCore
import Glibc
import NIOCore

/// A connection's one deadline and what it stands for.
extension ClientConnection {
    /// What the one deadline of a connection stands for.
    enum Deadline {
        /// From the request's end to the response head.
        case responseHead
        /// Silence from the upstream while the response streams.
        case upstreamIdle
        /// Between requests (and before the first): the client's connection is closed.
        case clientIdle
        /// Silence from the client while its request body is due: answered 408, both connections closed.
        case requestBody
    }

    /// One scheduled task per connection at most: a request only moves the deadline, and the task, when
    /// it fires early, sleeps again until the current one (scheduling a task per request cost throughput).
    func schedule(_ amount: TimeAmount, _ kind: Deadline, now: NIODeadline = .now()) {
        timeoutAmount = amount
        deadlineKind = kind
        let due = now + amount
        deadline = due
        if timerAt != .max, due.uptimeNanoseconds < timerAt {
            // Sooner than the timer waits: only the response-head timeout after a long client idle one.
            cancelTimer()
        }
        if timerAt == .max { setTimer(at: due) }
    }

}
#endif
