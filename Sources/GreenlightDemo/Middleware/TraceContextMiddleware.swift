import Hummingbird

/// Continues the caller's W3C trace (or starts one) and answers with this server's span in `traceparent`.
struct TraceContextMiddleware: RouterMiddleware {
    typealias Context = DemoRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        context.trace = TraceContext(continuing: request.headers[.traceparent])
        var response = try await next(request, context)
        response.headers[.traceparent] = context.trace.traceparent
        return response
    }
}
