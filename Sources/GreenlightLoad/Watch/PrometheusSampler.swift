import Foundation
import GreenlightCore
import GreenlightHTTP
import GreenlightJSON

/// Samples a remote target through Prometheus: each time, the instant queries for CPU and memory
/// (`GET /api/v1/query`), each answered with one number. A failed query is recorded as a problem
/// and leaves its value out of that sample; when every query fails there is no sample.
struct PrometheusSampler: ResourceSampler {
    let source: String
    let notes: [String] = []
    private let base: String
    private let cpuQuery: String?
    private let rssQuery: String?
    private let session: HTTPSession
    private let timeout: Duration

    init(_ spec: WatchSpec.PrometheusWatch, timeout: Duration = .seconds(2)) throws(WatchError) {
        let url = spec.url.trimmingCharacters(in: .whitespaces)
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw WatchError("watch.prometheus.url '\(url)' is not an http:// or https:// URL")
        }
        guard spec.cpu != nil || spec.rss != nil else {
            throw WatchError("watch.prometheus needs a cpu or an rss query")
        }
        base = url.hasSuffix("/") ? String(url.dropLast()) : url
        cpuQuery = spec.cpu
        rssQuery = spec.rss
        self.timeout = timeout
        source = "prometheus \(DisplayURL.withoutPassword(url))"
        do {
            session = try HTTPSession()
        } catch {
            throw WatchError("cannot prepare requests to Prometheus: \(error)")
        }
    }

    func sample(at t: Double) async -> SampleStep {
        async let cpu = query("cpu", cpuQuery)
        async let rss = query("rss", rssQuery)
        let (cpuResult, rssResult) = await (cpu, rss)
        var sample = ResourceSample(t: t)
        var problems: [String] = []
        switch cpuResult {
        case .value(let value): sample.cpu = value
        case .problem(let problem): problems.append(problem)
        case .none: break
        }
        switch rssResult {
        case .value(let value): sample.rss = value
        case .problem(let problem): problems.append(problem)
        case .none: break
        }
        return SampleStep(sample: sample.cpu == nil && sample.rss == nil ? nil : sample, problems: problems)
    }

    func close() async {
        await session.shutdown()
    }

    enum Answer: Equatable {
        case value(Double)
        case problem(String)
    }

    /// The number the query gives now, or why there is none; nil when there is no such query.
    private func query(_ name: String, _ promQL: String?) async -> Answer? {
        guard let promQL else { return nil }
        let url = base + "/api/v1/query?query=" + percentEncodedQueryValue(promQL)
        let request = HTTPRequestRecord(
            method: "GET", url: url, headers: [("Accept", "application/json")], body: Data())
        do {
            let response = try await session.send(request, timeout: timeout)
            return Self.answer(name: name, status: response.status, body: response.body)
        } catch {
            return .problem("\(name) query: \(error)")
        }
    }

    /// Reads the answer to an instant query: `data.result[0].value[1]` of a vector, or
    /// `data.result[1]` of a scalar, a number in a string.
    static func answer(name: String, status: Int, body: Data) -> Answer {
        let json = try? JSONValue(parsing: body)
        guard let json, case .string(let outcome)? = json["status"] else {
            return .problem("\(name) query: HTTP \(status), not a Prometheus API answer")
        }
        guard status == 200, outcome == "success" else {
            var reason = "HTTP \(status)"
            if case .string(let type)? = json["errorType"] { reason += " \(type)" }
            if case .string(let error)? = json["error"] { reason += ": \(error)" }
            return .problem("\(name) query: \(reason)")
        }
        let data = json["data"]
        let result = data?["result"]
        let number: JSONValue?
        switch data?["resultType"] {
        case .string("vector")?:
            guard case .array(let series)? = result, let first = series.first else {
                return .problem("\(name) query returned no series; check that the target is scraped")
            }
            guard series.count == 1 else {
                return .problem(
                    "\(name) query returned \(series.count) series; aggregate them into one, with sum() for instance")
            }
            if case .array(let pair)? = first["value"], pair.count == 2 { number = pair[1] } else { number = nil }
        case .string("scalar")?:
            if case .array(let pair)? = result, pair.count == 2 { number = pair[1] } else { number = nil }
        case .string(let other)?:
            return .problem("\(name) query returned a \(other); write an instant query that gives one number")
        default:
            number = nil
        }
        guard case .string(let text)? = number, let value = Double(text) else {
            return .problem("\(name) query: the answer holds no value")
        }
        guard value.isFinite else { return .problem("\(name) query returned \(text)") }
        return .value(value)
    }
}
