import HTTPTypes
import Hummingbird

/// The paths of docs/openapi.yaml and their methods, so that a request for a known path with a method
/// the API does not have is answered 405 with `Allow` (RFC 9110), not 404. A test checks this table
/// against the document.
enum APIRoutes {
    static let table: [(template: String, methods: [String])] = [
        ("/healthz", ["GET"]),
        ("/api/v1/releases", ["GET"]),
        ("/api/v1/releases/{release}", ["GET"]),
        ("/api/v1/releases/{release}/report", ["GET"]),
        ("/api/v1/releases/{release}/signoffs", ["GET", "POST"]),
        ("/api/v1/releases/{release}/gate", ["GET", "POST"]),
        ("/api/v1/releases/{release}/rollout", ["GET"]),
        ("/api/v1/releases/{release}/rollout/approvals", ["POST"]),
        ("/api/v1/flags", ["GET"]),
        ("/api/v1/flags/{key}", ["GET"]),
        ("/api/v1/flags/{key}/kill", ["POST"]),
        ("/api/v1/flags/{key}/revive", ["POST"]),
        ("/api/v1/alerts", ["GET", "POST"]),
        ("/api/v1/routers", ["GET"]),
        ("/api/v1/routers/weight", ["POST"]),
        ("/api/v1/signers", ["GET"]),
        ("/api/v1/ledger/head", ["GET"]),
        ("/api/v1/ledger/records", ["GET", "POST"]),
        ("/api/v1/ledger/latest", ["GET"]),
        ("/api/v1/ledger/verify", ["GET"]),
    ]

    private static let parsed: [(parts: [Substring], methods: [String])] = table.map {
        ($0.template.split(separator: "/"), $0.methods)
    }

    /// The methods of the API path `path` matches, if it is one.
    static func methods(for path: String) -> [String]? {
        let parts = path.split(separator: "/")
        return parsed.first { route in
            route.parts.count == parts.count
                && zip(route.parts, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }?.methods
    }
}

/// Answers 405 for a known API path asked with a method it does not have.
struct MethodCheck<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let method = request.method.rawValue
        if let methods = APIRoutes.methods(for: request.uri.path), !methods.contains(method),
            !(method == "HEAD" && methods.contains("GET"))
        {
            let problem = APIProblem(
                .methodNotAllowed, "\(request.uri.path) answers \(methods.joined(separator: ", ")), not \(method)")
            var headers: HTTPFields = [.contentType: "application/problem+json"]
            headers[.allow] = methods.joined(separator: ", ")
            return Response(
                status: .methodNotAllowed, headers: headers, body: .init(byteBuffer: ByteBuffer(data: problem.body)))
        }
        return try await next(request, context)
    }
}
