import Hummingbird
import Logging

/// Counts every request in the metrics and writes its JSON log line, labelled by route template.
struct RequestObservationMiddleware: RouterMiddleware {
    typealias Context = DemoRequestContext

    /// Route label of requests that matched no route.
    static let unmatchedRoute = "unmatched"

    let metrics: Metrics
    /// Receives one `request` event per request; nil writes no logs.
    let requestLogger: Logger?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let duration = start.duration(to: .now)
        let route = context.endpointPath.flatMap { $0 == "NotFound" ? nil : $0 } ?? Self.unmatchedRoute
        let status = response.status.code
        metrics.record(route: route, method: request.method.rawValue, status: status, duration: duration)
        if let requestLogger {
            let milliseconds =
                Double(duration.components.seconds) * 1e3 + Double(duration.components.attoseconds) * 1e-15
            requestLogger.log(
                level: status >= 500 ? .error : status >= 400 ? .warning : .info,
                "request",
                metadata: [
                    "trace_id": .string(context.trace.traceID),
                    "span_id": .string(context.trace.spanID),
                    "method": .string(request.method.rawValue),
                    "route": .string(route),
                    "path": .string(request.uri.path),
                    "status": .stringConvertible(status),
                    "duration_ms": .stringConvertible((milliseconds * 1000).rounded() / 1000),
                ]
            )
        }
        return response
    }
}
