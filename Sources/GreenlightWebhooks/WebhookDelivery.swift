import Foundation

/// The state of one event's delivery to one target, as the dispatcher's recent history keeps it.
public struct WebhookDelivery: Sendable, Hashable {
    public enum Status: String, Sendable, Hashable, CaseIterable {
        /// An attempt failed and another one is due.
        case retrying
        case delivered
        /// Given up: the attempts ran out, or the target refused it (a 4xx other than 408 and 429).
        case failed
        /// The target had nowhere to put it (a GitHub target, a release whose ticket is no issue).
        case skipped
    }

    public var eventID: String
    public var event: WebhookEvent.Kind
    public var release: String
    public var sequence: Int
    /// The target's name.
    public var target: String
    public var status: Status
    /// Attempts made so far.
    public var attempts: Int
    /// The status of the last response, when one came.
    public var httpStatus: Int?
    /// Why the last attempt failed (or why it was skipped), with every secret masked.
    public var error: String?
    /// When the delivery last changed.
    public var time: Date
}

/// How deliveries are retried: on a connection error or timeout, a 5xx, a 408 or a 429, after
/// `initialDelay`, then twice as long each time up to `maximumDelay`, for `attempts` attempts in all.
/// A `Retry-After` of whole seconds up to `maximumRetryAfter` is waited instead of the back-off.
public struct WebhookRetryPolicy: Sendable, Hashable {
    public var attempts: Int
    public var initialDelay: Duration
    public var maximumDelay: Duration
    public var maximumRetryAfter: Duration

    public init(
        attempts: Int = 6, initialDelay: Duration = .seconds(1), maximumDelay: Duration = .seconds(60),
        maximumRetryAfter: Duration = .seconds(120)
    ) {
        self.attempts = max(1, attempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.maximumRetryAfter = maximumRetryAfter
    }

    /// The wait after failed attempt `attempt` (from 1), or the server's `Retry-After` when it is small.
    func delay(after attempt: Int, retryAfter: String?) -> Duration {
        if let retryAfter, let seconds = Int(retryAfter.trimmingCharacters(in: .whitespaces)), seconds >= 0,
            Duration.seconds(seconds) <= maximumRetryAfter
        {
            return .seconds(seconds)
        }
        var delay = initialDelay
        for _ in 1..<max(1, attempt) where delay < maximumDelay { delay *= 2 }
        return min(delay, maximumDelay)
    }

    /// Whether a response with `status` is worth another attempt.
    static func isRetryable(status: Int) -> Bool { status >= 500 || status == 408 || status == 429 }
}
