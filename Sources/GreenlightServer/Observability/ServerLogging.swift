package import Foundation
import GreenlightJSON
import Hummingbird
import Logging
import Prometheus
import Synchronization
import W3CTraceContext

/// Writes each log event as one JSON object per line (time, level, message, the event's metadata), the
/// structured logs the server's own observability asks of services.
struct JSONLogHandler: LogHandler {
    let label: String
    let sink: @Sendable (String) -> Void
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var members: [(String, JSONValue)] = [
            ("time", .string(Date().formatted(.iso8601.year().month().day().time(includingFractionalSeconds: true)))),
            ("level", .string(event.level.rawValue)), ("logger", .string(label)),
            ("message", .string(event.message.description)),
        ]
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        for (key, value) in merged.sorted(by: { $0.key < $1.key }) { members.append((key, Self.json(value))) }
        sink(JSONValue.object(members).serialized())
    }

    static func json(_ value: Logger.Metadata.Value) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let item):
            if let int = item as? Int { return .int(int) }
            if let double = item as? Double { return .double(double) }
            return .string(item.description)
        case .array(let items): return .array(items.map(json))
        case .dictionary(let members):
            return .object(members.sorted { $0.key < $1.key }.map { ($0.key, json($0.value)) })
        }
    }

    /// Standard error, a line at a time.
    static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}

/// Logs one line per request (method, path, status, duration, trace id; never a header or a body, so
/// no token), counts requests and their durations for `/metrics`, and carries the W3C trace context:
/// the caller's `traceparent` when it sends one, else a new trace, echoed on the response.
struct RequestTelemetry<Context: RequestContext>: RouterMiddleware {
    let logger: Logger
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let started = ContinuousClock.now
        let incoming = request.headers[.init("traceparent")!].flatMap { try? TraceContext(traceParentHeaderValue: $0) }
        let trace = TraceContext(
            traceID: incoming?.traceID ?? .random(), spanID: .random(), flags: .sampled, state: TraceState())
        var status = 500
        defer {
            let elapsed = ContinuousClock.now - started
            let route = Self.route(request.uri.path)
            metrics.observe(method: request.method.rawValue, route: route, status: status, duration: elapsed)
            logger.info(
                "request",
                metadata: [
                    "method": .string(request.method.rawValue), "path": .string(request.uri.path),
                    "status": .stringConvertible(status),
                    "duration_ms": .stringConvertible(
                        Double(elapsed.components.attoseconds / 1_000_000_000_000) / 1000),
                    "trace_id": .string("\(trace.traceID)"),
                ])
        }
        do {
            var response = try await next(request, context)
            status = response.status.code
            response.headers[.init("traceparent")!] = trace.traceParentHeaderValue
            return response
        } catch let error as HTTPError {
            status = error.status.code
            throw error
        }
    }

    /// The route a path takes, with path parameters as their names (`/api/v1/releases/{release}`), so that
    /// metrics have a bounded number of series whatever paths are asked for.
    static func route(_ path: String) -> String {
        if let template = APIRoutes.template(for: path) { return template }
        if path.hasPrefix("/ofrep/") { return "/ofrep" }
        if ["/", "/healthz", "/metrics", "/login", "/logout", "/flags"].contains(path) { return path }
        if path.hasPrefix("/releases/") || path.hasPrefix("/flags/") { return "/dashboard" }
        return "other"
    }
}

/// The server's own metrics, exposed at `/metrics` in Prometheus' text format (swift-prometheus).
final class ServerMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    let records: Gauge

    init() {
        records = registry.makeGauge(name: "greenlight_ledger_records", help: "Records in the ledger.")
    }

    func observe(method: String, route: String, status: Int, duration: Duration) {
        let labels = [("method", method), ("route", route), ("status", String(status))]
        registry.makeCounter(name: "greenlight_http_requests_total", labels: labels, help: "HTTP requests answered.")
            .increment()
        registry.makeDurationHistogram(
            name: "greenlight_http_request_duration_seconds", labels: [("route", route)],
            buckets: [
                .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(100),
                .milliseconds(500), .seconds(1), .seconds(5),
            ],
            help: "Time to answer an HTTP request."
        ).record(duration)
    }

    /// The exposition text.
    func text() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
