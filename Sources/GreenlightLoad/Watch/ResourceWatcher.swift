import GreenlightCore
import Synchronization

/// Samples the target's CPU, memory, files and I/O while a load test runs, on a task of its own.
///
/// Start it before the load, so that a target that cannot be found stops the run at once; stop it
/// after, for the ``ResourceReport``.
public final class ResourceWatcher: Sendable {
    /// What is watched: `process nginx (pid 123)` or `prometheus http://…`.
    package let source: String
    private let log: WatchLog
    private let task: Task<Void, Never>

    private init(source: String, log: WatchLog, task: Task<Void, Never>) {
        self.source = source
        self.log = log
        self.task = task
    }

    /// Finds the target the spec names and starts sampling it every `interval` (10 ms at least).
    ///
    /// A process is found by name (the kernel's name for it, or the file name of its argv[0]; the
    /// oldest when several match) or by pid. Throws when it is not running, or when the spec is
    /// incomplete; Prometheus is not asked until the first sample.
    package static func start(_ spec: WatchSpec, interval: Duration = .seconds(1)) throws(WatchError)
        -> ResourceWatcher
    {
        if let prometheus = spec.prometheus {
            return start(try PrometheusSampler(prometheus), interval: interval)
        }
        return start(try ProcessSampler(spec), interval: interval)
    }

    static func start(_ sampler: some ResourceSampler, interval: Duration) -> ResourceWatcher {
        let log = WatchLog()
        log.record(SampleStep(problems: sampler.notes))
        let task = Task(priority: .high) { await run(sampler, interval: interval, log: log) }
        return ResourceWatcher(source: sampler.source, log: log, task: task)
    }

    deinit {
        task.cancel()
    }

    /// Stops sampling, after a last sample, and reports what was seen.
    package func stop() async -> ResourceReport {
        task.cancel()
        await task.value
        return log.report(source: source)
    }

    /// Samples at once and then on every tick (skipping ticks missed), until cancelled or the target
    /// is gone; when cancelled, takes a last sample unless the previous one was very recent.
    private static func run(_ sampler: some ResourceSampler, interval: Duration, log: WatchLog) async {
        var sampler = sampler
        let interval = max(interval, .milliseconds(10))
        let start = ContinuousClock.now
        var next = start
        var last = -Double.infinity
        while true {
            let t = (ContinuousClock.now - start).seconds
            let step = await sampler.sample(at: t)
            last = t
            log.record(step)
            if step.finished || Task.isCancelled { break }
            while next <= .now { next += interval }
            do {
                try await Task.sleep(until: next, clock: .continuous)
            } catch {
                let t = (ContinuousClock.now - start).seconds
                if t - last >= 0.25 { log.record(await sampler.sample(at: t)) }
                break
            }
        }
        await sampler.close()
    }
}

/// The samples and problems of a watch, written by its task and read when it stops.
final class WatchLog: Sendable {
    private struct State {
        var samples: [ResourceSample] = []
        /// Each problem once, in order, with how often it came up.
        var problems: [(message: String, count: Int)] = []
    }

    private let state = Mutex(State())

    func record(_ step: SampleStep) {
        state.withLock { state in
            if let sample = step.sample { state.samples.append(sample) }
            for problem in step.problems {
                if let i = state.problems.firstIndex(where: { $0.message == problem }) {
                    state.problems[i].count += 1
                } else {
                    state.problems.append((problem, 1))
                }
            }
        }
    }

    func report(source: String) -> ResourceReport {
        state.withLock { state in
            ResourceReport(
                source: source, samples: state.samples,
                problems: state.problems.map {
                    $0.count == 1 ? $0.message : "\($0.message) (\(Format.count($0.count, "time")))"
                })
        }
    }
}
