import Foundation
import GreenlightCore
import GreenlightHTTP
import GreenlightJSON

/// A request to Alertmanager that failed: which one, and what went wrong in plain words.
package struct AlertmanagerError: Error, Sendable, CustomStringConvertible {
    package var method: String
    package var url: String
    package var problem: String

    package var description: String { "\(method) \(url): \(problem)" }
}

/// Alertmanager's HTTP API, version 2: sending alerts, reading them back by group, its status, and its
/// own metrics. Every request ends within `timeout`.
package struct AlertmanagerClient: Sendable {
    /// Alertmanager's base URL, without a trailing slash.
    package let baseURL: String
    private let session: HTTPSession
    private let timeout: Duration

    package init(url: String, session: HTTPSession, timeout: Duration = .seconds(5)) {
        var base = url
        while base.hasSuffix("/") { base.removeLast() }
        baseURL = base
        self.session = session
        self.timeout = timeout
    }

    /// `GET /api/v2/status`: the version and the configuration in force.
    package func status() async throws -> AlertmanagerStatus {
        try await getJSON("/api/v2/status", as: AlertmanagerStatus.self)
    }

    /// `POST /api/v2/alerts`: fires `alerts` (or resolves those whose `endsAt` is past).
    package func post(_ alerts: [PostableAlert]) async throws {
        let body = JSONValue.array(alerts.map(\.json)).serialized()
        _ = try await send("POST", "/api/v2/alerts", body: Data(body.utf8))
    }

    /// Resolves `alert`: the same labels posted again, ending at `time`.
    package func resolve(_ alert: PostableAlert, at time: Date = Date()) async throws {
        var ended = alert
        ended.endsAt = max(time, alert.startsAt)
        try await post([ended])
    }

    /// `GET /api/v2/alerts/groups`: the groups holding alerts whose labels equal `matching`.
    package func groups(matching labels: [(String, String)] = []) async throws -> [AlertGroup] {
        try await getJSON("/api/v2/alerts/groups" + Self.query(labels), as: [AlertGroup].self)
    }

    /// `GET /api/v2/alerts`: the alerts whose labels equal `matching`, only the active ones by default.
    package func alerts(matching labels: [(String, String)] = [], active: Bool = true) async throws
        -> [GettableAlert]
    {
        let query = Self.query(labels)
        let path = "/api/v2/alerts" + query + (query.isEmpty ? "?" : "&") + "active=\(active)"
        return try await getJSON(path, as: [GettableAlert].self)
    }

    /// `GET /metrics`: Alertmanager's own metrics, as Prometheus text.
    package func metrics() async throws -> String {
        try await send("GET", "/metrics", body: Data()).bodyText
    }

    // MARK: Requests

    private func getJSON<T: Decodable>(_ path: String, as type: T.Type) async throws -> T {
        let response = try await send("GET", path, body: Data())
        do {
            return try JSONDecoder().decode(type, from: response.body)
        } catch {
            throw AlertmanagerError(
                method: "GET", url: baseURL + path,
                problem:
                    "answered with JSON greenlight cannot read (\(DecodingProblem.text(error))); is this Alertmanager?")
        }
    }

    /// Sends one request and returns its 2xx response; anything else throws ``AlertmanagerError``.
    private func send(_ method: String, _ path: String, body: Data) async throws -> HTTPResponseRecord {
        let url = baseURL + path
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        if !body.isEmpty { headers.append(("Content-Type", "application/json")) }
        let request = HTTPRequestRecord(method: method, url: url, headers: headers, body: body)
        let response: HTTPResponseRecord
        do {
            response = try await session.send(request, timeout: timeout)
        } catch let error as HTTPFailure {
            throw AlertmanagerError(method: method, url: url, problem: error.description)
        }
        guard (200..<300).contains(response.status) else {
            throw AlertmanagerError(
                method: method, url: url, problem: "answered HTTP \(response.status): \(Self.message(response.body))")
        }
        return response
    }

    /// The `message` of Alertmanager's error body, or the start of the body.
    private static func message(_ body: Data) -> String {
        if let json = try? JSONValue(parsing: body), case .string(let message)? = json["message"] {
            return message
        }
        let text = String(decoding: body.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "an empty body" : text
    }

    /// `?filter=name%3D%22value%22&…`: Alertmanager's equality matchers, one per label.
    static func query(_ labels: [(String, String)]) -> String {
        guard !labels.isEmpty else { return "" }
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~")
        return "?"
            + labels.map { name, value in
                let escaped = value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
                    of: "\"", with: "\\\"")
                let matcher = "\(name)=\"\(escaped)\""
                return "filter=" + (matcher.addingPercentEncoding(withAllowedCharacters: allowed) ?? matcher)
            }.joined(separator: "&")
    }
}
