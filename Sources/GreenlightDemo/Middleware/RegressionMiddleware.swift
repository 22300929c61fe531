import Hummingbird

/// Plays a `v2` regression: delays requests on regressed routes and fails the configured share of them.
struct RegressionMiddleware: RouterMiddleware {
    typealias Context = DemoRequestContext

    /// nil for a healthy shop: requests pass straight through.
    let regression: Regression?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        guard let regression, regression.applies(to: request.uri.path) else {
            return try await next(request, context)
        }
        if regression.addedLatency > .zero {
            try await Task.sleep(for: regression.addedLatency)
        }
        if regression.nextRequestFails() {
            throw APIError.internalError("internal server error")
        }
        return try await next(request, context)
    }
}
