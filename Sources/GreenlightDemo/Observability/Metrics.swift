import Synchronization

/// Request counters and latency histograms per route template, rendered in the Prometheus text format.
final class Metrics: Sendable {
    /// Upper bounds of the latency buckets in seconds: the Prometheus client defaults.
    static let bucketBounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    static let contentType = "text/plain; version=0.0.4"

    private struct RequestKey: Hashable, Sendable {
        var route: String
        var method: String
        var status: Int
    }

    private struct Histogram: Sendable {
        /// Observations at or under each bound (cumulative, as exposed).
        var buckets = [UInt64](repeating: 0, count: Metrics.bucketBounds.count)
        var sum = 0.0
        var count: UInt64 = 0

        mutating func observe(_ seconds: Double) {
            for (index, bound) in Metrics.bucketBounds.enumerated() where seconds <= bound {
                buckets[index] += 1
            }
            sum += seconds
            count += 1
        }
    }

    private struct State: Sendable {
        var requests: [RequestKey: UInt64] = [:]
        var durations: [String: Histogram] = [:]
    }

    let version: String
    private let state = Mutex(State())

    init(version: String) {
        self.version = version
    }

    /// Counts one answered request.
    func record(route: String, method: String, status: Int, duration: Duration) {
        let seconds = Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
        state.withLock { state in
            state.requests[RequestKey(route: route, method: method, status: status), default: 0] += 1
            state.durations[route, default: Histogram()].observe(seconds)
        }
    }

    /// The exposition text served at `/metrics`.
    func exposition() -> String {
        let snapshot = state.withLock { $0 }
        var text = ""
        text += "# HELP http_requests_total HTTP requests answered, by route template, method and status.\n"
        text += "# TYPE http_requests_total counter\n"
        let requestKeys = snapshot.requests.keys.sorted {
            ($0.route, $0.method, $0.status) < ($1.route, $1.method, $1.status)
        }
        for key in requestKeys {
            let labels = Self.labels([("route", key.route), ("method", key.method), ("status", String(key.status))])
            text += "http_requests_total\(labels) \(snapshot.requests[key]!)\n"
        }
        text += "# HELP http_request_duration_seconds Time to answer HTTP requests, by route template.\n"
        text += "# TYPE http_request_duration_seconds histogram\n"
        for route in snapshot.durations.keys.sorted() {
            let histogram = snapshot.durations[route]!
            for (index, bound) in Self.bucketBounds.enumerated() {
                let labels = Self.labels([("route", route), ("le", Self.format(bound))])
                text += "http_request_duration_seconds_bucket\(labels) \(histogram.buckets[index])\n"
            }
            let infinity = Self.labels([("route", route), ("le", "+Inf")])
            text += "http_request_duration_seconds_bucket\(infinity) \(histogram.count)\n"
            let labels = Self.labels([("route", route)])
            text += "http_request_duration_seconds_sum\(labels) \(Self.format(histogram.sum))\n"
            text += "http_request_duration_seconds_count\(labels) \(histogram.count)\n"
        }
        text += "# HELP demoshop_build_info The running DemoShop version.\n"
        text += "# TYPE demoshop_build_info gauge\n"
        text += "demoshop_build_info\(Self.labels([("version", version)])) 1\n"
        return text
    }

    private static func labels(_ pairs: [(String, String)]) -> String {
        "{" + pairs.map { "\($0.0)=\"\(escapeLabelValue($0.1))\"" }.joined(separator: ",") + "}"
    }

    static func escapeLabelValue(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// A number as Prometheus clients print it: `1` rather than `1.0`.
    static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e15 {
            return String(Int(value))
        }
        return String(value)
    }
}
