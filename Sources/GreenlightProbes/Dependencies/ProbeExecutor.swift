import NIOCore
import NIOPosix

/// Runs the probes' tasks on threads of their own rather than the shared concurrency pool, so
/// that a dependency's check goes on, and its timeout holds, while other work keeps every
/// concurrency thread busy. Event loops stay free for I/O and timers.
@available(macOS 15, *)
final class ProbeExecutor: TaskExecutor {
    static let shared = ProbeExecutor()

    private let pool: NIOThreadPool

    private init() {
        pool = NIOThreadPool(numberOfThreads: max(2, System.coreCount))
        pool.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let executor = asUnownedTaskExecutor()
        pool.submit { _ in job.runSynchronously(on: executor) }
    }
}

/// Runs `operation` preferring ``ProbeExecutor``, where it is available.
func onProbeExecutor<T: Sendable>(_ operation: () async -> T) async -> T {
    if #available(macOS 15, *) {
        return await withTaskExecutorPreference(ProbeExecutor.shared) { await operation() }
    }
    return await operation()
}

/// An unstructured task preferring ``ProbeExecutor``, where it is available.
@discardableResult
func probeTask(_ operation: sending @escaping @isolated(any) () async -> Void) -> Task<Void, Never> {
    if #available(macOS 15, *) {
        return Task(executorPreference: ProbeExecutor.shared, operation: operation)
    }
    return Task(operation: operation)
}
