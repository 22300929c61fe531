import Synchronization

/// A value behind a `Mutex` that several objects share, for what servers and tasks record and tests read.
public final class LockBox<Value: Sendable>: Sendable {
    private let value: Mutex<Value>

    /// A box holding `value`.
    public init(_ value: Value) { self.value = Mutex(value) }

    /// Runs `body` on the value under the lock and returns what it returns.
    public func withValue<T: Sendable>(_ body: (inout Value) -> T) -> T { value.withLock { body(&$0) } }

    /// A copy of the value now.
    public var current: Value { value.withLock { $0 } }
}

extension LockBox where Value == Bool {
    /// Sets the flag and tells whether this call was the first to set it (to close something once).
    public func setOnce() -> Bool {
        withValue { set in
            defer { set = true }
            return !set
        }
    }
}
