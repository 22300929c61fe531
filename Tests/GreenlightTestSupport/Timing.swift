import NIOPosix

/// Measures async work on threads of its own rather than the shared concurrency pool, so that a test
/// asserting how long something took does not count time spent waiting for a concurrency thread that
/// other tests keep busy.
public enum Timing {
    /// The value of `operation` and the wall-clock seconds it took.
    public static func measured<T: Sendable>(_ operation: () async -> T) async -> (T, Double) {
        if #available(macOS 15, *) {
            return await withTaskExecutorPreference(TimingExecutor.shared) { await clocked(operation) }
        }
        return await clocked(operation)
    }

    private static func clocked<T: Sendable>(_ operation: () async -> T) async -> (T, Double) {
        let start = ContinuousClock.now
        let value = await operation()
        let elapsed = ContinuousClock.now - start
        return (value, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}

/// Two threads of its own for ``Timing``.
@available(macOS 15, *)
private final class TimingExecutor: TaskExecutor {
    static let shared = TimingExecutor()

    private let pool: NIOThreadPool

    private init() {
        pool = NIOThreadPool(numberOfThreads: 2)
        pool.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        pool.submit { _ in job.runSynchronously(on: executor) }
    }
}
