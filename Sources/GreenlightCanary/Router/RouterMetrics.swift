import Foundation
import Histogram
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

    private let arms = Mutex(Arms())

    public init() {}

    func recordResponse(_ arm: RouterArm, status: Int, microseconds: UInt64) {
        let statusClass = min(max(status / 100, 1), 5) - 1
        let value = min(microseconds, 120_000_000)
        arms.withLock {
            $0[arm].requests += 1
            $0[arm].statusClasses[statusClass] += 1
            _ = $0[arm].latency.record(value)
        }
    }

    func recordError(_ arm: RouterArm) { arms.withLock { $0[arm].errors += 1 } }
    func recordConnectionOpened(_ arm: RouterArm) { arms.withLock { $0[arm].connectionsOpened += 1 } }
    func setHealthy(_ arm: RouterArm, _ healthy: Bool) { arms.withLock { $0[arm].healthy = healthy } }

    public func snapshot(_ arm: RouterArm) -> ArmSnapshot { arms.withLock { $0[arm] } }

    /// Prometheus text exposition (version 0.0.4).
    public func prometheusText(weight: Int) -> String {
        var out =
            "# HELP greenlight_router_weight The canary's share, percent.\n# TYPE greenlight_router_weight gauge\n"
        out += "greenlight_router_weight \(weight)\n"
        let all = arms.withLock { $0 }
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
