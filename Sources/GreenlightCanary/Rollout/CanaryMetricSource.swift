import Foundation
import GreenlightHTTP

/// What one arm showed of one metric over a window: values to compare by rank (latencies, a quantile
/// per interval), or failures out of a total (an error rate, compared as proportions).
public enum CanaryObservation: Sendable, Equatable {
    case values([Double])
    case counts(failures: Int, total: Int)
}

/// Where the canary's metrics come from: the router's own per-arm intervals (the default), or a
/// metrics system queried per arm.
public protocol CanaryMetricSource: Sendable {
    /// The baseline's (control) and the canary's (experiment) observations of `metric` between `from`
    /// and `to`.
    func observe(_ metric: String, from: Date, to: Date) async throws -> (
        control: CanaryObservation, experiment: CanaryObservation
    )
}

public struct CanaryMetricError: Error, CustomStringConvertible, Sendable {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The built-in router's numbers, from `GET /intervals` of each router (several behind a load
/// balancer are added up):
///   - `error_rate`: 5xx answers (the router's own 502 and 504 included) out of all answers;
///   - `latency`: every request's latency, in milliseconds, from the intervals' distributions;
///   - `latency_pNN` (`latency_p50`, `latency_p99`, …): that quantile of each interval, in milliseconds.
public struct RouterIntervalsSource: CanaryMetricSource {
    let traffic: RouterAdminTraffic
    /// At most this many latencies per arm (more are thinned evenly across the distribution).
    let maximumSamples: Int

    public init(traffic: RouterAdminTraffic, maximumSamples: Int = 100_000) {
        self.traffic = traffic
        self.maximumSamples = maximumSamples
    }

    struct Intervals: Decodable {
        struct Interval: Decodable {
            var start: Double
            var end: Double
            var baseline: Arm
            var canary: Arm
        }
        struct Arm: Decodable {
            var requests: Int
            var errors: Int
            var status_classes: [String: Int]
            var latency_us: [[Double]]
        }
        var interval_seconds: Double
        var intervals: [Interval]
    }

    /// The metric names this source knows.
    public static func knows(_ metric: String) -> Bool {
        quantile(metric) != nil || metric == "error_rate" || metric == "latency"
    }

    static func quantile(_ metric: String) -> Double? {
        guard metric.hasPrefix("latency_p"), let value = Double(metric.dropFirst("latency_p".count)),
            value > 0, value < 100
        else { return nil }
        return value
    }

    public func observe(_ metric: String, from: Date, to: Date) async throws -> (
        control: CanaryObservation, experiment: CanaryObservation
    ) {
        guard Self.knows(metric) else {
            throw CanaryMetricError(
                "the router measures error_rate, latency and latency_pNN (such as latency_p99), not '\(metric)'")
        }
        var intervals: [Intervals.Interval] = []
        for admin in traffic.admins {
            let since = Int(from.timeIntervalSince1970.rounded(.down))
            let response = try await traffic.send("GET", admin + "/intervals?since=\(since)")
            guard response.status == 200 else {
                throw CanaryMetricError("\(admin)/intervals: HTTP \(response.status) \(response.bodyText)")
            }
            let decoded: Intervals
            do {
                decoded = try JSONDecoder().decode(Intervals.self, from: response.body)
            } catch {
                throw CanaryMetricError("\(admin)/intervals: not the router's answer (\(error))")
            }
            // Intervals wholly inside the window (a little slack for the clock's rounding).
            intervals += decoded.intervals.filter {
                $0.start >= from.timeIntervalSince1970 - 0.001 && $0.end <= to.timeIntervalSince1970 + 0.001
            }
        }
        return (observation(metric, intervals.map(\.baseline)), observation(metric, intervals.map(\.canary)))
    }

    func observation(_ metric: String, _ arms: [Intervals.Arm]) -> CanaryObservation {
        if metric == "error_rate" {
            let failures = arms.reduce(0) { $0 + ($1.status_classes["5xx"] ?? 0) }
            return .counts(failures: failures, total: arms.reduce(0) { $0 + $1.requests })
        }
        if let q = Self.quantile(metric) {
            return .values(arms.compactMap { Self.quantile(q, of: $0.latency_us) })
        }
        let total = arms.reduce(0.0) { $0 + $1.latency_us.reduce(0) { $0 + ($1.count > 1 ? $1[1] : 0) } }
        let keep = total > Double(maximumSamples) ? Double(maximumSamples) / total : 1
        var values: [Double] = []
        var carried = 0.0
        for arm in arms {
            for bucket in arm.latency_us where bucket.count == 2 {
                carried += bucket[1] * keep
                let count = Int(carried)
                carried -= Double(count)
                if count > 0 { values += repeatElement(bucket[0] / 1000, count: count) }
            }
        }
        return .values(values)
    }

    /// The `percentile` of a distribution given as [microseconds, count] pairs, in milliseconds.
    static func quantile(_ percentile: Double, of buckets: [[Double]]) -> Double? {
        let total = buckets.reduce(0.0) { $0 + ($1.count == 2 ? $1[1] : 0) }
        guard total > 0 else { return nil }
        let rank = max(1, (percentile / 100 * total).rounded(.up))
        var seen = 0.0
        for bucket in buckets where bucket.count == 2 {
            seen += bucket[1]
            if seen >= rank { return bucket[0] / 1000 }
        }
        return buckets.last.map { $0[0] / 1000 }
    }
}

/// Metrics from Prometheus, for setups where a mesh or another router carries the traffic: each
/// metric's query with `{{arm}}` replaced by `baseline` or `canary`, asked of `/api/v1/query_range`
/// over the window at `step`; every value of every series it returns is one observation.
public struct PrometheusMetricSource: CanaryMetricSource {
    let base: String
    let queries: [String: String]
    let session: HTTPSession
    let step: Duration

    public init(url: String, queries: [String: String], session: HTTPSession, step: Duration = .seconds(1)) {
        base = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.queries = queries
        self.session = session
        self.step = step
    }

    struct Answer: Decodable {
        struct Data: Decodable {
            struct Series: Decodable {
                var values: [[Value]]?
            }
            var resultType: String
            var result: [Series]
        }
        /// A sample's time (a number) or value (a string, `"NaN"` and `"+Inf"` included).
        enum Value: Decodable {
            case number(Double)
            case text(String)
            init(from decoder: Decoder) throws {
                let container = try decoder.singleValueContainer()
                if let number = try? container.decode(Double.self) {
                    self = .number(number)
                } else {
                    self = .text(try container.decode(String.self))
                }
            }
        }
        var status: String
        var data: Data?
        var error: String?
    }

    public func observe(_ metric: String, from: Date, to: Date) async throws -> (
        control: CanaryObservation, experiment: CanaryObservation
    ) {
        guard let query = queries[metric] else {
            throw CanaryMetricError("no Prometheus query for '\(metric)'")
        }
        return (
            try await values(query.replacingOccurrences(of: "{{arm}}", with: "baseline"), from: from, to: to),
            try await values(query.replacingOccurrences(of: "{{arm}}", with: "canary"), from: from, to: to)
        )
    }

    func values(_ query: String, from: Date, to: Date) async throws -> CanaryObservation {
        var components = URLComponents(string: base + "/api/v1/query_range")
        let seconds = RolloutController.seconds(step)
        components?.queryItems = [
            URLQueryItem(name: "query", value: query),
            URLQueryItem(name: "start", value: String(format: "%.3f", from.timeIntervalSince1970)),
            URLQueryItem(name: "end", value: String(format: "%.3f", to.timeIntervalSince1970)),
            URLQueryItem(name: "step", value: String(format: "%.3f", max(0.001, seconds))),
        ]
        // `+` in a query must arrive as a plus, not as a space.
        let encoded = components?.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        components?.percentEncodedQuery = encoded
        guard let url = components?.url?.absoluteString else {
            throw CanaryMetricError("Prometheus at \(base): not a usable URL")
        }
        let response = try await session.send(
            HTTPRequestRecord(method: "GET", url: url, headers: [("Accept", "application/json")], body: Data()),
            timeout: .seconds(10))
        let answer: Answer
        do {
            answer = try JSONDecoder().decode(Answer.self, from: response.body)
        } catch {
            throw CanaryMetricError("Prometheus at \(base): HTTP \(response.status), not its API's answer")
        }
        guard answer.status == "success", let data = answer.data else {
            throw CanaryMetricError(
                "Prometheus at \(base) refused '\(query)': \(answer.error ?? "HTTP \(response.status)")")
        }
        var values: [Double] = []
        for series in data.result {
            for pair in series.values ?? [] where pair.count == 2 {
                if case .text(let text) = pair[1], let value = Double(text), value.isFinite { values.append(value) }
            }
        }
        return .values(values)
    }
}

/// Each metric from where the plan says: Prometheus when it has a query, else the router.
public struct CombinedMetricSource: CanaryMetricSource {
    let router: (any CanaryMetricSource)?
    let prometheus: PrometheusMetricSource?

    public init(router: (any CanaryMetricSource)?, prometheus: PrometheusMetricSource?) {
        self.router = router
        self.prometheus = prometheus
    }

    public func observe(_ metric: String, from: Date, to: Date) async throws -> (
        control: CanaryObservation, experiment: CanaryObservation
    ) {
        if let prometheus, prometheus.queries[metric] != nil {
            return try await prometheus.observe(metric, from: from, to: to)
        }
        guard let router else { throw CanaryMetricError("no source for the metric '\(metric)'") }
        return try await router.observe(metric, from: from, to: to)
    }
}
