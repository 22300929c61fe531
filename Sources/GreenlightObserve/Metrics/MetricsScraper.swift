import Foundation
import GreenlightCore
import GreenlightHTTP

/// Why the metrics could not be read: the request failed, the answer was not 200, or the text was
/// not a valid exposition (then ``parseError`` holds where).
public struct MetricsReadError: Error, Sendable, CustomStringConvertible {
    public var description: String
    /// The parse error, when the text came but could not be read.
    public var parseError: ExpositionError?

    public init(_ description: String, parseError: ExpositionError? = nil) {
        self.description = description
        self.parseError = parseError
    }
}

/// Reads a metrics endpoint as Prometheus scrapes it: `GET` with OpenMetrics preferred over
/// Prometheus text, within a timeout, the body capped, the text parsed in the format its
/// `Content-Type` names.
public final class MetricsScraper: Sendable {
    /// The largest body read: 64 MiB.
    public static let defaultBodyLimit = 64 << 20

    public let timeout: Duration
    /// The `Accept` header sent; ``ExpositionParser/accept`` unless told otherwise.
    public let accept: String
    public let bodyLimit: Int
    private let session: HTTPSession

    /// A scraper trusting HTTPS servers as `trust` says; ``shutdown()`` it when done.
    public init(
        trust: TLSTrust = .system, timeout: Duration = .seconds(10), bodyLimit: Int = defaultBodyLimit,
        accept: String = ExpositionParser.accept
    ) throws(MetricsReadError) {
        self.timeout = timeout
        self.accept = accept
        self.bodyLimit = bodyLimit
        do {
            session = try HTTPSession(trust: trust, bodyLimit: bodyLimit)
        } catch {
            throw MetricsReadError("cannot prepare requests for the metrics: \(error)")
        }
    }

    public func shutdown() async {
        await session.shutdown()
    }

    /// The URL of `endpoint`: itself when it is an http or https URL, else a path under `base`.
    public static func url(of endpoint: String, base: String) -> String {
        let endpoint = endpoint.trimmingCharacters(in: .whitespaces)
        let lowered = endpoint.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") { return endpoint }
        switch (base.hasSuffix("/"), endpoint.hasPrefix("/")) {
        case (true, true): return String(base.dropLast()) + endpoint
        case (false, false): return base + "/" + endpoint
        default: return base + endpoint
        }
    }

    /// Scrapes `url` once and parses what it answers.
    public func scrape(_ url: String) async throws(MetricsReadError) -> Exposition {
        let request = HTTPRequestRecord(method: "GET", url: url, headers: [("Accept", accept)], body: Data())
        let response: HTTPResponseRecord
        do {
            response = try await session.send(request, timeout: timeout)
        } catch let failure as HTTPFailure {
            let reason =
                failure.description == "the response body is larger than the limit"
                ? "the response body is larger than \(Format.bytes(Double(bodyLimit)))" : failure.description
            throw MetricsReadError("GET \(url): \(reason)")
        } catch {
            throw MetricsReadError("GET \(url): \(error)")
        }
        guard response.status == 200 else {
            let body = response.bodyText.split(separator: "\n", omittingEmptySubsequences: true).first.map {
                ": " + String($0.prefix(200))
            }
            throw MetricsReadError("GET \(url) answered HTTP \(response.status)\(body ?? "")")
        }
        let contentType = response.header("Content-Type")
        do {
            return try ExpositionParser.parse(response.body, contentType: contentType)
        } catch {
            let format =
                ExpositionFormat(contentType: contentType)?.name
                ?? "text (Content-Type \(contentType.map { "'\($0)'" } ?? "missing"))"
            throw MetricsReadError("GET \(url): the \(format) is invalid at \(error)", parseError: error)
        }
    }
}
