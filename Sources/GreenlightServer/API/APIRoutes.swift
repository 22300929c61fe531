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
        route(for: path).map { table[$0].methods }
    }

    /// The template of the API path `path` matches (`/api/v1/releases/{release}`), if it is one.
    static func template(for path: String) -> String? {
        route(for: path).map { table[$0].template }
    }

    private static func route(for path: String) -> Int? {
        let parts = path.split(separator: "/")
        return parsed.firstIndex { route in
            route.parts.count == parts.count
                && zip(route.parts, parts).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
        }
    }
}

/// Refuses a request body larger than `limit` with 413 before anything reads it whole (the OpenAPI
/// transport would collect any size).
struct BodyLimit<Context: RequestContext>: RouterMiddleware {
    static var bytes: Int { 8 << 20 }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws
        -> Response
    {
        let length = request.headers[.contentLength].flatMap { Int($0) }
        if let length, length > Self.bytes { return Self.tooLarge }
        guard length.map({ $0 > 0 }) ?? (request.headers[.transferEncoding] != nil) else {
            return try await next(request, context)
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.bytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            return Self.tooLarge
        }
        request.body = RequestBody(buffer: body)
        return try await next(request, context)
    }

    static var tooLarge: Response {
        let problem = APIProblem(.contentTooLarge, "the request body is larger than 8 MiB")
        return Response(
            status: .contentTooLarge, headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: ByteBuffer(data: problem.body)))
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
