import Foundation
import GreenlightCore
import GreenlightHTTP
import GreenlightJSON

/// Reads a service's metric families through the HTTP API of a Prometheus server that scrapes it,
/// as the same families and samples a scrape gives: the series from an instant query
/// (`/api/v1/query`) restricted to the spec's labels, the type, help and unit from
/// `/api/v1/metadata` (the query API alone does not know them).
public final class PrometheusMetricsReader: Sendable {
    /// The server's base URL, without a trailing slash.
    public let url: String
    /// The labels every series must carry, such as `job="checkout"`.
    public let labels: [(key: String, value: String)]
    public let timeout: Duration
    private let session: HTTPSession

    /// A reader of the Prometheus server at `url`; ``shutdown()`` it when done.
    public init(
        url: String, labels: [(key: String, value: String)] = [], trust: TLSTrust = .system,
        timeout: Duration = .seconds(10)
    ) throws(MetricsReadError) {
        let url = url.trimmingCharacters(in: .whitespaces)
        let lowered = url.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw MetricsReadError("the Prometheus URL '\(url)' is not an http:// or https:// URL")
        }
        self.url = url.hasSuffix("/") ? String(url.dropLast()) : url
        self.labels = labels
        self.timeout = timeout
        do {
            session = try HTTPSession(trust: trust, bodyLimit: MetricsScraper.defaultBodyLimit)
        } catch {
            throw MetricsReadError("cannot prepare requests to Prometheus: \(error)")
        }
    }

    /// A reader of the spec's Prometheus source.
    public convenience init(
        _ source: MetricsSpec.PrometheusSource, trust: TLSTrust = .system, timeout: Duration = .seconds(10)
    ) throws(MetricsReadError) {
        try self.init(url: source.url, labels: source.labels, trust: trust, timeout: timeout)
    }

    public func shutdown() async {
        await session.shutdown()
    }

    /// The families `names` as Prometheus has them now; a family with no series and no metadata is
    /// left out, as a scrape would leave it out.
    public func read(_ names: [String]) async throws(MetricsReadError) -> Exposition {
        var families: [MetricFamily] = []
        for name in names {
            let metadata = try await metadata(of: name)
            let familyName = metadata?.name ?? name
            let type = metadata?.type ?? .unknown
            let samples = try await series(of: name, family: familyName)
            guard metadata != nil || !samples.isEmpty else { continue }
            families.append(
                MetricFamily(
                    name: familyName, type: type, help: metadata?.help, unit: metadata?.unit, samples: samples))
        }
        return Exposition(format: .prometheusAPI, families: families)
    }

    // MARK: Queries

    /// The instant query for the samples of family `name`: its own name and every suffix a family's
    /// samples take, restricted to ``labels``.
    func selector(of name: String) -> String {
        let suffixes = "(_total|_created|_bucket|_count|_sum|_gcount|_gsum|_info)?"
        var matchers = ["__name__=~\"\(Self.quoted(Self.regexEscaped(name) + suffixes))\""]
        for (key, value) in labels { matchers.append("\(key)=\"\(Self.quoted(value))\"") }
        return "{" + matchers.joined(separator: ",") + "}"
    }

    /// The series of the family, each as a sample (its name, its labels, its value now).
    func series(of name: String, family: String) async throws(MetricsReadError) -> [MetricFamily.Sample] {
        let query = selector(of: name)
        let data = try await get("/api/v1/query?query=" + percentEncodedQueryValue(query), what: "query \(query)")
        guard case .string("vector")? = data["resultType"], case .array(let results)? = data["result"] else {
            throw MetricsReadError("Prometheus answered the query \(query) with something other than a vector")
        }
        var samples: [MetricFamily.Sample] = []
        for result in results {
            guard case .object(let metric)? = result["metric"], case .array(let pair)? = result["value"],
                pair.count == 2, case .string(let text) = pair[1], let value = Double(text)
            else { continue }
            var sampleName = name
            var labels: [MetricFamily.Label] = []
            for (key, labelValue) in metric {
                guard case .string(let string) = labelValue else { continue }
                if key == "__name__" { sampleName = string } else { labels.append(.init(key, string)) }
            }
            let timestamp: Double? =
                switch pair[0] {
                case .double(let seconds): seconds
                case .int(let seconds): Double(seconds)
                default: nil
                }
            samples.append(.init(name: sampleName, labels: labels, value: value, timestamp: timestamp))
        }
        return samples.sorted { ($0.name, $0.series) < ($1.name, $1.series) }
    }

    struct Metadata {
        var name: String
        var type: MetricType
        var help: String?
        var unit: String?
    }

    /// What `/api/v1/metadata` knows of `name`, or of the counter it is the `_total` of.
    func metadata(of name: String) async throws(MetricsReadError) -> Metadata? {
        var candidates = [name]
        if name.hasSuffix("_total") { candidates.append(String(name.dropLast(6))) }
        for candidate in candidates {
            let data = try await get(
                "/api/v1/metadata?metric=" + percentEncodedQueryValue(candidate), what: "metadata of \(candidate)")
            guard case .array(let entries)? = data[candidate], let entry = entries.first,
                case .string(let typeName)? = entry["type"]
            else { continue }
            let type = typeName == "untyped" ? .unknown : MetricType(rawValue: typeName) ?? .unknown
            var help: String?
            var unit: String?
            if case .string(let text)? = entry["help"] { help = text }
            if case .string(let text)? = entry["unit"], !text.isEmpty { unit = text }
            return Metadata(name: candidate, type: type, help: help, unit: unit)
        }
        return nil
    }

    /// `GET path` of the API, and the `data` of its answer.
    func get(_ path: String, what: String) async throws(MetricsReadError) -> JSONValue {
        let request = HTTPRequestRecord(
            method: "GET", url: url + path, headers: [("Accept", "application/json")], body: Data())
        let response: HTTPResponseRecord
        do {
            response = try await session.send(request, timeout: timeout)
        } catch {
            throw MetricsReadError("Prometheus at \(url), \(what): \(error)")
        }
        guard let json = try? JSONValue(parsing: response.body), case .string(let outcome)? = json["status"] else {
            throw MetricsReadError(
                "Prometheus at \(url), \(what): HTTP \(response.status), not an answer of the Prometheus API")
        }
        guard response.status == 200, outcome == "success", let data = json["data"] else {
            var reason = "HTTP \(response.status)"
            if case .string(let type)? = json["errorType"] { reason += " \(type)" }
            if case .string(let error)? = json["error"] { reason += ": \(error)" }
            throw MetricsReadError("Prometheus at \(url), \(what): \(reason)")
        }
        return data
    }

    /// Text inside a PromQL double-quoted string.
    static func quoted(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// `text` matched literally in a regular expression (RE2).
    static func regexEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if "\\.+*?()|[]{}^$".unicodeScalars.contains(scalar) { out += "\\" }
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}
