import Foundation
import GreenlightCore
import GreenlightHTTP
import GreenlightJSON
import Yams

/// When a Prometheus server watches the service, health is only as fresh as its scrapes: the job's
/// scrape interval must fit the health budget too. Read from the server's running configuration
/// (`GET /api/v1/status/config`), the job's `scrape_interval`, else the global one, else
/// Prometheus' default of 1m.
enum ScrapeInterval {
    struct Found: Sendable {
        var seconds: Double
        /// As the configuration writes it, such as `15s`.
        var text: String
        /// Where it came from: the job's own, the global one, or the default.
        var origin: String
    }

    static func of(job: String, prometheus: String, session: HTTPSession) async -> Result<Found, ReadProblem> {
        let base = prometheus.hasSuffix("/") ? String(prometheus.dropLast()) : prometheus
        let url = base + "/api/v1/status/config"
        let response: HTTPResponseRecord
        do {
            response = try await session.send(
                HTTPRequestRecord(method: "GET", url: url, headers: [("Accept", "application/json")], body: Data()),
                timeout: .seconds(10))
        } catch {
            return .failure(ReadProblem(description: "GET \(url): \(error)"))
        }
        guard response.status == 200, let json = try? JSONValue(parsing: response.body),
            case .string(let yaml)? = json["data"]?["yaml"]
        else {
            return .failure(ReadProblem(description: "GET \(url) answered \(response.status) without a configuration"))
        }
        return interval(of: job, inConfiguration: yaml)
    }

    struct ReadProblem: Error, Sendable, CustomStringConvertible {
        var description: String
    }

    /// The job's interval in a Prometheus configuration's YAML text.
    static func interval(of job: String, inConfiguration yaml: String) -> Result<Found, ReadProblem> {
        guard let root = (try? Yams.load(yaml: yaml)) as? [String: Any] else {
            return .failure(ReadProblem(description: "Prometheus' configuration is not YAML greenlight can read"))
        }
        let global = (root["global"] as? [String: Any])?["scrape_interval"] as? String
        let jobs = (root["scrape_configs"] as? [[String: Any]]) ?? []
        guard let config = jobs.first(where: { $0["job_name"] as? String == job }) else {
            let names = jobs.compactMap { $0["job_name"] as? String }
            return .failure(
                ReadProblem(
                    description:
                        "Prometheus has no scrape job '\(job)' (its jobs: \(names.isEmpty ? "none" : names.joined(separator: ", ")))"
                ))
        }
        let (text, origin) =
            (config["scrape_interval"] as? String).map { ($0, "the job's") }
            ?? global.map { ($0, "the global") } ?? ("1m", "Prometheus' default")
        guard let duration = SpecDuration(text) else {
            return .failure(ReadProblem(description: "the scrape interval '\(text)' of job '\(job)' is not a duration"))
        }
        return .success(Found(seconds: duration.seconds, text: text, origin: origin))
    }

    /// The health check, judged again with the scrape interval.
    static func judge(_ health: CheckResult, interval: Result<Found, ReadProblem>, job: String, within: SpecDuration)
        -> CheckResult
    {
        var result = health
        switch interval {
        case .success(let found) where found.seconds > within.seconds:
            result.status = .fail
            result.details.insert(health.summary, at: 0)
            result.summary =
                "Prometheus scrapes job '\(job)' every \(found.text) (\(found.origin) interval), longer than \(within): health is not known in time"
        case .success(let found):
            result.details.append(
                "Prometheus scrapes job '\(job)' every \(found.text) (\(found.origin) interval), within \(within)")
        case .failure(let problem):
            if result.status == .pass { result.status = .warn }
            result.details.append("the scrape interval is unknown: \(problem.description)")
        }
        return result
    }
}
