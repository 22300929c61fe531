import Hummingbird

/// Answers every error thrown further in, including the router's own 404s, as `{"error","message"}` JSON.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = DemoRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            var apiError = APIError(from: error)
            if apiError.code == .notFound, context.endpointPath == "NotFound" {
                apiError.message = "no route for \(request.method.rawValue) \(request.uri.path)"
            }
            return try apiError.response(from: request, context: context)
        }
    }
}
