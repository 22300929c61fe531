import Hummingbird

/// `GET /healthz`, `GET /internal/info` (the parity descriptor) and `GET /metrics`.
struct SystemController {
    typealias Context = DemoRequestContext

    let version: String
    /// The parity descriptor, serialized once.
    let descriptorJSON: String
    let metrics: Metrics

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .get("healthz", use: health)
            .get("internal/info", use: info)
            .get("metrics", use: exposition)
    }

    struct Health: ResponseEncodable {
        var status: String
        var version: String
    }

    @Sendable func health(_ request: Request, context: Context) async throws -> Health {
        Health(status: "ok", version: version)
    }

    @Sendable func info(_ request: Request, context: Context) async throws -> Response {
        .json(descriptorJSON)
    }

    @Sendable func exposition(_ request: Request, context: Context) async throws -> Response {
        Response(
            status: .ok,
            headers: [.contentType: Metrics.contentType],
            body: .init(byteBuffer: ByteBuffer(string: metrics.exposition()))
        )
    }
}
