import Foundation
import GreenlightCore
import Histogram
import NIOCore
import Synchronization

/// Per-arm counts and latencies, shared by every event loop; read by `/metrics` and `/status`.
public final class RouterMetrics: Sendable {
    public struct ArmSnapshot: Sendable {
        public var requests: UInt64 = 0
        /// Responses by status class: index 0 is 1xx … index 4 is 5xx.
        public var statusClasses: [UInt64] = [0, 0, 0, 0, 0]
        /// Requests the router answered itself (502, 504) or cut off because the upstream failed.
        public var errors: UInt64 = 0
        /// Connections opened to the upstream.
        public var connectionsOpened: UInt64 = 0
        /// Latency to the response's end, microseconds.
        public var latency = Histogram<UInt64>(
            highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        public var healthy = true
    }

    /// Both arms' numbers, without a dictionary lookup on the per-response path.
    struct Arms: Sendable {
        var baseline = ArmSnapshot()
        var canary = ArmSnapshot()

        subscript(arm: RouterArm) -> ArmSnapshot {
            get { arm == .baseline ? baseline : canary }
            _modify {
                if arm == .baseline { yield &baseline } else { yield &canary }
            }
        }
    }

    /// One arm's numbers over one interval: what the canary judge compares.
    public struct IntervalArm: Sendable, Equatable {
        public var requests: UInt64 = 0
        /// Responses by status class: index 0 is 1xx … index 4 is 5xx.
        public var statusClasses: [UInt64] = [0, 0, 0, 0, 0]
        public var errors: UInt64 = 0
        /// The latency distribution: (microseconds, how many), from an HDR histogram of 2 significant digits.
        public var latency: [LatencyBucket] = []

        public struct LatencyBucket: Sendable, Equatable {
            public var microseconds: UInt64
            public var count: UInt64
        }

        /// The latency at `percentile` (0…100), microseconds; nil when nothing was measured.
        public func latency(atPercentile percentile: Double) -> UInt64? {
            let total = latency.reduce(0) { $0 + $1.count }
            guard total > 0 else { return nil }
            let rank = max(1, UInt64((percentile / 100 * Double(total)).rounded(.up)))
            var seen: UInt64 = 0
            for bucket in latency {
                seen += bucket.count
                if seen >= rank { return bucket.microseconds }
            }
            return latency.last?.microseconds
        }
    }

    /// Both arms over one interval of ``interval`` (wall-clock bounds).
    public struct Interval: Sendable {
        public var start: Date
        public var end: Date
        public var baseline = IntervalArm()
        public var canary = IntervalArm()

        public subscript(arm: RouterArm) -> IntervalArm { arm == .baseline ? baseline : canary }
    }

    private struct State: Sendable {
        var total = Arms()
        /// The interval being filled: counts in `current`, latencies in the two histograms.
        var current = Interval(start: Date(), end: Date())
        var currentStarted = NIODeadline.now()
        var baselineLatency = RouterMetrics.intervalHistogram()
        var canaryLatency = RouterMetrics.intervalHistogram()
        /// Completed intervals, oldest first, at most ``keptIntervals``.
        var intervals: [Interval] = []
    }

    static func intervalHistogram() -> Histogram<UInt64> {
        Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .two)
    }

    private let state = Mutex(State())
    /// The length of one interval.
    public let interval: TimeAmount
    /// How many completed intervals are kept (an hour's worth at the default 10 s).
    public let keptIntervals: Int

    public init(interval: TimeAmount = .seconds(10), keptIntervals: Int = 360) {
        self.interval = interval
        self.keptIntervals = keptIntervals
    }

    func recordResponse(_ arm: RouterArm, status: Int, microseconds: UInt64, now: NIODeadline = .now()) {
        let statusClass = min(max(status / 100, 1), 5) - 1
        let value = min(microseconds, 120_000_000)
        let interval = self.interval
        let kept = keptIntervals
        state.withLock {
            if now - $0.currentStarted >= interval { Self.rotate(&$0, now: now, kept: kept) }
            $0.total[arm].requests += 1
            $0.total[arm].statusClasses[statusClass] += 1
            _ = $0.total[arm].latency.record(value)
            if arm == .baseline {
                $0.current.baseline.requests += 1
                $0.current.baseline.statusClasses[statusClass] += 1
                _ = $0.baselineLatency.record(value)
            } else {
                $0.current.canary.requests += 1
                $0.current.canary.statusClasses[statusClass] += 1
                _ = $0.canaryLatency.record(value)
            }
        }
    }

    func recordError(_ arm: RouterArm) {
        let interval = self.interval
        let kept = keptIntervals
        state.withLock {
            let now = NIODeadline.now()
            if now - $0.currentStarted >= interval { Self.rotate(&$0, now: now, kept: kept) }
            $0.total[arm].errors += 1
            if arm == .baseline { $0.current.baseline.errors += 1 } else { $0.current.canary.errors += 1 }
        }
    }

    func recordConnectionOpened(_ arm: RouterArm) { state.withLock { $0.total[arm].connectionsOpened += 1 } }
    func setHealthy(_ arm: RouterArm, _ healthy: Bool) { state.withLock { $0.total[arm].healthy = healthy } }

    public func snapshot(_ arm: RouterArm) -> ArmSnapshot { state.withLock { $0.total[arm] } }

    /// The completed intervals that ended after `since` (all kept ones when nil), oldest first. Intervals
    /// with no traffic are not recorded: a gap in the times means nothing happened.
    public func intervals(since: Date? = nil) -> [Interval] {
        let interval = self.interval
        let kept = keptIntervals
        return state.withLock {
            let now = NIODeadline.now()
            if now - $0.currentStarted >= interval { Self.rotate(&$0, now: now, kept: kept) }
            guard let since else { return $0.intervals }
            // To the millisecond: `since` often comes back as text (the end of the last interval a client
            // saw), and a date's round trip through seconds since 1970 is not exact.
            return $0.intervals.filter { $0.end.timeIntervalSince1970 - since.timeIntervalSince1970 > 0.0005 }
        }
    }

    /// Closes the current interval (kept when anything happened in it) and starts the next.
    private static func rotate(_ state: inout State, now: NIODeadline, kept: Int) {
        let elapsed = Double((now - state.currentStarted).nanoseconds) / 1e9
        var closing = state.current
        closing.end = closing.start.addingTimeInterval(elapsed)
        closing.baseline.latency = buckets(state.baselineLatency)
        closing.canary.latency = buckets(state.canaryLatency)
        let busy = closing.baseline.requests + closing.canary.requests + closing.baseline.errors + closing.canary.errors
        if busy > 0 {
            state.intervals.append(closing)
            if state.intervals.count > kept { state.intervals.removeFirst(state.intervals.count - kept) }
        }
        state.current = Interval(start: closing.end, end: closing.end)
        state.currentStarted = now
        if state.baselineLatency.totalCount > 0 { state.baselineLatency.reset() }
        if state.canaryLatency.totalCount > 0 { state.canaryLatency.reset() }
    }

    private static func buckets(_ histogram: Histogram<UInt64>) -> [IntervalArm.LatencyBucket] {
        guard histogram.totalCount > 0 else { return [] }
        return histogram.recordedValues().map {
            IntervalArm.LatencyBucket(microseconds: $0.value, count: UInt64($0.count))
        }
    }

    /// Prometheus text exposition (version 0.0.4).
    public func prometheusText(weight: Double) -> String {
        var out =
            "# HELP greenlight_router_weight The canary's share, percent.\n# TYPE greenlight_router_weight gauge\n"
        out += "greenlight_router_weight \(Format.number(weight))\n"
        let all = state.withLock { $0.total }
        out += "# HELP greenlight_router_requests_total Responses by arm and status class.\n"
        out += "# TYPE greenlight_router_requests_total counter\n"
        for arm in RouterArm.allCases {
            for (index, count) in all[arm].statusClasses.enumerated() {
                out += "greenlight_router_requests_total{arm=\"\(arm.rawValue)\",code=\"\(index + 1)xx\"} \(count)\n"
            }
        }
        out += "# HELP greenlight_router_errors_total Upstream failures and timeouts, by arm.\n"
        out += "# TYPE greenlight_router_errors_total counter\n"
        for arm in RouterArm.allCases {
            out += "greenlight_router_errors_total{arm=\"\(arm.rawValue)\"} \(all[arm].errors)\n"
        }
        out += "# HELP greenlight_router_upstream_connections_opened_total Connections opened to the upstream.\n"
        out += "# TYPE greenlight_router_upstream_connections_opened_total counter\n"
        for arm in RouterArm.allCases {
            out +=
                "greenlight_router_upstream_connections_opened_total{arm=\"\(arm.rawValue)\"} \(all[arm].connectionsOpened)\n"
        }
        out += "# HELP greenlight_router_upstream_healthy Whether the arm's upstream accepts connections.\n"
        out += "# TYPE greenlight_router_upstream_healthy gauge\n"
        for arm in RouterArm.allCases {
            out += "greenlight_router_upstream_healthy{arm=\"\(arm.rawValue)\"} \(all[arm].healthy ? 1 : 0)\n"
        }
        out += "# HELP greenlight_router_latency_seconds Time to the response's end (HDR histogram quantiles).\n"
        out += "# TYPE greenlight_router_latency_seconds summary\n"
        for arm in RouterArm.allCases {
            let histogram = all[arm].latency
            for quantile in [0.5, 0.9, 0.99, 0.999] {
                let seconds = histogram.totalCount == 0 ? 0 : Double(histogram.valueAtPercentile(quantile * 100)) / 1e6
                out +=
                    "greenlight_router_latency_seconds{arm=\"\(arm.rawValue)\",quantile=\"\(quantile)\"} \(seconds)\n"
            }
            let sum = histogram.totalCount == 0 ? 0 : histogram.mean * Double(histogram.totalCount) / 1e6
            out += "greenlight_router_latency_seconds_sum{arm=\"\(arm.rawValue)\"} \(sum)\n"
            out += "greenlight_router_latency_seconds_count{arm=\"\(arm.rawValue)\"} \(histogram.totalCount)\n"
        }
        return out
    }
}
