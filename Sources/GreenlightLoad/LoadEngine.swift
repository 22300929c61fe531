import Foundation
import GreenlightCore
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// What the engine reports while it runs, about twice a second.
public struct LoadProgress: Sendable {
    public var elapsed: Double
    public var total: Double
    /// Responses in the last complete second.
    public var currentRate: Double
    /// The last complete second's p99, in milliseconds.
    public var lastSecondP99: Double
    public var responses: UInt64
    public var errors: UInt64
    public var dropped: UInt64
    public var connectionsOpen: Int
}

public struct LoadError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Runs a load plan: opens the connections on `threads` event loops, drives the schedule, gathers
/// the per-loop histograms and per-second counters, samples the target and checks thresholds.
public final class LoadEngine: Sendable {
    public let plan: LoadPlan

    public init(plan: LoadPlan) {
        self.plan = plan
    }

    /// Runs to the end of the profile (or until it is hopeless, with `abortWhenHopeless`, or `stop` is
    /// requested) and returns the result. Throws only when no connection could be opened at all.
    public func run(
        watch: ResourceWatcher? = nil, thresholds: [Threshold] = [], abortWhenHopeless: Bool = false,
        stop: LoadStop? = nil, progress: (@Sendable (LoadProgress) -> Void)? = nil
    ) async throws -> LoadResult {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: max(1, plan.threads))
        do {
            let result = try await run(
                on: group, watch: watch, thresholds: thresholds, abortWhenHopeless: abortWhenHopeless, stop: stop,
                progress: progress)
            try? await group.shutdownGracefully()
            return result
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Runs on the event loops of `group` (one worker each), which the caller owns and shuts down.
    func run(
        on group: MultiThreadedEventLoopGroup, watch: ResourceWatcher? = nil, thresholds: [Threshold] = [],
        abortWhenHopeless: Bool = false, stop: LoadStop? = nil, progress: (@Sendable (LoadProgress) -> Void)? = nil
    ) async throws -> LoadResult {
        let workers = WorkerList()
        do {
            let result = try await run(
                on: group, workers: workers, watch: watch, thresholds: thresholds,
                abortWhenHopeless: abortWhenHopeless, stop: stop, progress: progress)
            await Self.shutdown(workers.all)
            return result
        } catch {
            await Self.shutdown(workers.all)
            throw error
        }
    }

    private static func shutdown(_ workers: [LoopWorker]) async {
        for worker in workers { try? await worker.loop.submit { worker.shutdown() }.get() }
    }

    private func run(
        on group: MultiThreadedEventLoopGroup, workers list: WorkerList, watch: ResourceWatcher?,
        thresholds: [Threshold], abortWhenHopeless: Bool, stop: LoadStop?,
        progress: (@Sendable (LoadProgress) -> Void)?
    ) async throws -> LoadResult {
        let sslContext: NIOSSLContext?
        if plan.target.isTLS {
            var tls = try plan.target.trust.clientConfiguration()
            tls.applicationProtocols = ["http/1.1"]
            sslContext = try NIOSSLContext(configuration: tls)
        } else {
            sslContext = nil
        }

        let loops = Array(group.makeIterator())
        var workers: [LoopWorker] = []
        for (i, loop) in loops.enumerated() {
            let share = plan.connections / loops.count + (i < plan.connections % loops.count ? 1 : 0)
            workers.append(LoopWorker(loop: loop, plan: plan, index: i, connections: share, sslContext: sslContext))
        }
        list.all = workers

        // A stop (Ctrl-C) from now on: while connecting it ends the wait for connections, and the run
        // stops as soon as it begins; each worker handles it on its loop, in order with `begin`.
        stop?.whenRequested { [workers] in
            for worker in workers { worker.loop.execute { worker.requestStop() } }
        }

        // Open every connection first, so the schedule does not start on a cold pool; but wait no longer
        // than the run itself would last (and at most the connect timeout): a target that refuses or
        // stalls must not hold the run past its duration.
        let window = max(16, 512 / loops.count)
        let connectWait = min(min(plan.requestTimeout, 10), max(1, plan.profile.totalSeconds))
        // (A little past the connect and TLS handshake timeouts, so that a stage that stalls is named.)
        let connectDeadline = NIODeadline.now().uptimeNanoseconds + UInt64((connectWait + 0.25) * 1e9)
        let opened = workers.map { worker in
            worker.loop.flatSubmit { worker.connectAll(window: window, deadline: connectDeadline) }
        }
        for future in opened { try await future.get() }
        var open = 0
        var problems: [String: Int] = [:]
        for worker in workers {
            let (count, seen) = try await worker.loop.submit { (worker.openConnections, worker.problems) }.get()
            open += count
            problems.merge(seen, uniquingKeysWith: +)
        }
        // Stopped while connecting, the run still ends with its (empty) result, marked stopped early.
        guard open > 0 || stop?.requested != nil else {
            let why =
                problems.max { $0.value < $1.value }?.key
                ?? "no connection opened within \(Format.duration(connectWait))"
            throw LoadError("cannot connect to \(plan.target.origin): \(why)")
        }

        let startedAt = Date()
        let start = NIODeadline.now().uptimeNanoseconds + 5_000_000
        let done = Tally()
        for worker in workers {
            worker.loop.execute {
                worker.begin(at: start) { done.add() }
            }
        }
        let plannedEnd = start + UInt64(plan.profile.totalSeconds * 1e9)

        // Gather finished seconds while the run goes on, report progress, stop early when hopeless.
        var timeline: [Int: TimelineSecond] = [:]
        var soFar = TimelineSecond(second: 0)
        var abortReason: String?
        var stoppedAt: UInt64?
        var peakOpen = open
        // Early verdicts count requests against planned arrivals: exact only when an arrival is one request.
        let onlyRequests = plan.actions.allSatisfy { if case .fixed = $0 { true } else { false } }
        let planned =
            plan.model == .open && onlyRequests
            ? plan.profile.totalArrivals / Double(plan.slice.count) : nil
        while true {
            try? await Task.sleep(for: .milliseconds(500))
            let finished = done.value == workers.count
            var connected = 0
            var latest: [Int: TimelineSecond] = [:]
            for worker in workers {
                let (seconds, open) = try await worker.loop.submit {
                    (worker.collect(final: finished), worker.openConnections)
                }.get()
                connected += open
                for second in seconds {
                    timeline[second.second, default: TimelineSecond(second: second.second)].add(second)
                    latest[second.second, default: TimelineSecond(second: second.second)].add(second)
                    soFar.add(second)
                }
            }
            if !finished { peakOpen = max(peakOpen, connected) }
            if abortReason == nil, let (reason, at) = stop?.requested, at < plannedEnd {
                abortReason = reason
                stoppedAt = max(at, start)
            }
            if let progress, !finished {
                let last = latest.keys.max().flatMap { timeline[$0] }
                progress(
                    LoadProgress(
                        elapsed: min(
                            Double(NIODeadline.now().uptimeNanoseconds &- start) / 1e9, plan.profile.totalSeconds),
                        total: plan.profile.totalSeconds, currentRate: Double(last?.counters.responses ?? 0),
                        lastSecondP99: last?.latency.milliseconds(atPercentile: 99) ?? 0,
                        responses: soFar.counters.responses, errors: soFar.counters.errorCount,
                        dropped: soFar.counters.dropped, connectionsOpen: connected))
            }
            if finished { break }
            if abortWhenHopeless, abortReason == nil,
                let reason = Thresholds.hopeless(
                    thresholds, counters: soFar.counters, latency: soFar.latency, plannedArrivals: planned)
            {
                abortReason = reason
                stoppedAt = NIODeadline.now().uptimeNanoseconds
                for worker in workers { worker.loop.execute { worker.stop() } }
            }
        }

        var latency = LatencyHistogram()
        var counters = LoadCounters()
        var busyDrops: UInt64 = 0
        problems = [:]
        for worker in workers {
            let (histogram, seen, drops) = try await worker.loop.submit {
                (worker.latency, worker.problems, worker.busyDrops)
            }.get()
            busyDrops += drops
            latency.add(histogram)
            problems.merge(seen, uniquingKeysWith: +)
        }
        for second in timeline.values { counters.add(second.counters) }
        let stopped = stoppedAt ?? plannedEnd
        let resources = await watch?.stop()
        var notes: [String] = []
        if let abortReason { notes.append("stopped early: \(abortReason)") }
        if busyDrops > 0 {
            notes.append(
                "\(busyDrops) scheduled arrivals were dropped: all \(plan.connections) connections stayed busy for longer than \(Format.duration(plan.maximumQueueDelay)) (raise --connections, or the target is saturated)"
            )
        }
        for (problem, count) in problems.sorted(by: { $0.value > $1.value }) {
            notes.append("\(problem) (\(count)×)")
        }
        var result = LoadResult(
            target: plan.target.baseURL, model: plan.model,
            rate: plan.model == .open ? plan.requestedPeak : nil,
            virtualUsers: plan.model == .closed ? Int(plan.requestedPeak) : nil, connections: plan.connections,
            threads: plan.threads, profile: plan.profile, slices: [plan.slice], startedAt: startedAt,
            durationSeconds: Double(stopped &- start) / 1e9, connectionsOpen: peakOpen, counters: counters,
            latency: latency, timeline: timeline.keys.sorted().map { timeline[$0]! }, resources: resources,
            notes: notes)
        result.stoppedEarly = abortReason
        result.thresholds = Thresholds.evaluate(thresholds, on: result)
        return result
    }
}

/// A count several event loops add to.
final class Tally: Sendable {
    private let count = Mutex(0)
    func add() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}

/// The workers of a run, so they can be shut down whichever way the run ends.
final class WorkerList: Sendable {
    private let workers = Mutex<[LoopWorker]>([])

    /// Set once the workers exist; read at shutdown, possibly from another task.
    var all: [LoopWorker] {
        get { workers.withLock { $0 } }
        set { workers.withLock { $0 = newValue } }
    }
}
