import Hummingbird

/// Adds `X-Demo-Version` to every response, and the `RateLimit-*` quota headers to `/api/*` responses.
struct ShopHeadersMiddleware: RouterMiddleware {
    typealias Context = DemoRequestContext

    let version: String
    let rateLimiter: RateLimiter

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        let path = request.uri.path
        let quota = path == "/api" || path.hasPrefix("/api/") ? rateLimiter.consume() : nil
        var response = try await next(request, context)
        response.headers[.demoVersion] = version
        if let quota {
            response.headers[.rateLimitLimit] = String(quota.limit)
            response.headers[.rateLimitRemaining] = String(quota.remaining)
            response.headers[.rateLimitReset] = String(quota.resetSeconds)
        }
        return response
    }
}
