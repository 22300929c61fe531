import Foundation
import GreenlightCore
import GreenlightHTTP
import GreenlightJSON

/// The diagnosis test and the trace check share one request: greenlight asks for a path that fails on
/// purpose (the spec's, or a random one that should answer 404), with its own trace id. Then the
/// service must hand the trace on (in its response headers, a log line, or its trace backend), and
/// the logs must hold the trace id within the budget: a failing request can be found from its id.
public struct DiagnosisProbe: Sendable {
    public var baseURL: String
    public var path: String
    public var stamp: TraceStamp

    /// What came back from the failing request.
    public struct Sent: Sendable {
        public var url: String
        public var status: Int?
        public var headers: [(name: String, value: String)]
        public var problem: String?
        /// When it was sent, to measure how long the logs took.
        public var at: ContinuousClock.Instant
    }

    public init(baseURL: String, path: String?, propagation: TraceStamp.Propagation) {
        self.baseURL = baseURL
        self.path = path ?? "/greenlight-diagnosis-\(UUID().uuidString.prefix(8).lowercased())"
        stamp = TraceStamp(propagation: propagation)
    }

    public var url: String {
        let base = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        return base + (path.hasPrefix("/") ? path : "/" + path)
    }

    /// Sends the failing request.
    public func send(session: HTTPSession, timeout: Duration = .seconds(10)) async -> Sent {
        let at = ContinuousClock.now
        let record = HTTPRequestRecord(
            method: "GET", url: url, headers: [("User-Agent", "greenlight")] + stamp.headers, body: Data())
        do {
            let response = try await session.send(record, timeout: timeout)
            return Sent(url: url, status: response.status, headers: response.headers, problem: nil, at: at)
        } catch {
            return Sent(url: url, status: nil, headers: [], problem: "\(error)", at: at)
        }
    }

    /// The diagnosis check: the logs are read again until they hold the trace id, or `within` passes.
    public func diagnose(_ sent: Sent, logs: LogSource, within: SpecDuration) async -> CheckResult {
        let title = "A failing request can be found in the logs"
        let clock = ContinuousClock()
        let deadline = sent.at + .milliseconds(Int64(within.seconds * 1000))
        guard let status = sent.status else {
            return ObservabilityCheck.result(
                ObservabilityCheck.diagnosis, title, .fail,
                "GET \(path) got no answer (\(sent.problem ?? "")), so there is nothing to find in the logs")
        }
        let answered = "answered \(status)"
        while true {
            do {
                let reading = try await logs.read()
                if LogsCheck.contains(stamp.traceID, in: reading) {
                    let seconds = (clock.now - sent.at).seconds
                    return ObservabilityCheck.result(
                        ObservabilityCheck.diagnosis, title, .pass,
                        "trace \(stamp.traceID) of GET \(path) (\(answered)) was in \(logs.name) after \(Format.duration(seconds))",
                        measurements: [.init(name: "time to find in the logs", value: seconds, unit: "s")],
                        durationSeconds: seconds)
                }
            } catch {
                // Logs that cannot be read now will not be readable in a moment: no waiting.
                return ObservabilityCheck.result(
                    ObservabilityCheck.diagnosis, title, .fail,
                    "cannot look for trace \(stamp.traceID) of GET \(path): \(error.description)")
            }
            if clock.now + .milliseconds(250) >= deadline { break }
            try? await Task.sleep(for: .milliseconds(250))
        }
        return ObservabilityCheck.result(
            ObservabilityCheck.diagnosis, title, .fail,
            "trace \(stamp.traceID) of GET \(path) (\(answered)) is not in \(logs.name) after \(within): a failing request cannot be traced to its log lines",
            durationSeconds: (clock.now - sent.at).seconds)
    }

    /// The trace check: the service carried greenlight's trace on, in its response headers or a log
    /// line; with a trace backend, the trace must also be found there.
    public func traces(
        _ sent: Sent, logs: LogSource?, backend: TracesSpec.Backend?, session: HTTPSession
    ) async -> CheckResult {
        let title = "Traces carry greenlight's trace id (\(stamp.propagation.rawValue))"
        let header = stamp.propagation == .w3c ? "traceparent" : "b3"
        guard sent.status != nil else {
            return ObservabilityCheck.result(
                ObservabilityCheck.traces, title, .fail,
                "GET \(sent.url) got no answer (\(sent.problem ?? "")), so nothing shows that the service carries \(header) on"
            )
        }
        var found: [String] = []
        if stamp.isContinued(by: sent.headers) { found.append("the response's \(header) header") }
        if let logs, let reading = try? await logs.read(), LogsCheck.contains(stamp.traceID, in: reading) {
            found.append("a line of \(logs.name)")
        }
        guard !found.isEmpty else {
            return ObservabilityCheck.result(
                ObservabilityCheck.traces, title, .fail,
                "the service dropped \(header): trace \(stamp.traceID) came back in no response header\(logs == nil ? "" : " and no log line")",
                details: ["GET \(sent.url) \(sent.status.map { "answered \($0)" } ?? "got no answer")"])
        }
        guard let backend else {
            return ObservabilityCheck.result(
                ObservabilityCheck.traces, title, .pass,
                "trace \(stamp.traceID) came back in \(found.joined(separator: " and "))")
        }
        let outcome = await Self.findInBackend(stamp.traceID, backend: backend, session: session)
        switch outcome {
        case .found(let seconds):
            return ObservabilityCheck.result(
                ObservabilityCheck.traces, title, .pass,
                "trace \(stamp.traceID) came back in \(found.joined(separator: " and ")), and \(backend.kind) holds it (after \(Format.duration(seconds)))",
                measurements: [.init(name: "time to find in \(backend.kind)", value: seconds, unit: "s")])
        case .missing(let why):
            return ObservabilityCheck.result(
                ObservabilityCheck.traces, title, .fail,
                "trace \(stamp.traceID) is not in \(backend.kind) at \(backend.url) within \(backend.within): \(why)",
                details: ["it came back in \(found.joined(separator: " and "))"])
        }
    }

    enum BackendOutcome {
        case found(Double)
        case missing(String)
    }

    /// Jaeger and Tempo both answer `GET /api/traces/{id}`: 200 with the trace, 404 until it is there.
    static func findInBackend(_ traceID: String, backend: TracesSpec.Backend, session: HTTPSession) async
        -> BackendOutcome
    {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + .milliseconds(Int64(backend.within.seconds * 1000))
        let base = backend.url.hasSuffix("/") ? String(backend.url.dropLast()) : backend.url
        let url = "\(base)/api/traces/\(traceID)"
        var last = "no answer"
        while true {
            let record = HTTPRequestRecord(
                method: "GET", url: url, headers: [("Accept", "application/json")], body: Data())
            do {
                let response = try await session.send(record, timeout: .seconds(5))
                // Jaeger's JSON names the trace in hex; Tempo's OTLP JSON in base64, and answers 404 until it has it.
                if response.status == 200, backend.kind == "tempo" || response.bodyText.lowercased().contains(traceID) {
                    return .found((clock.now - start).seconds)
                }
                last = "GET \(url) answered \(response.status)"
            } catch {
                last = "\(error)"
            }
            if clock.now + .milliseconds(500) >= deadline { return .missing(last) }
            try? await Task.sleep(for: .milliseconds(500))
        }
    }
}
