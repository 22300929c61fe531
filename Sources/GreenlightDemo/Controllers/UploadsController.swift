import Crypto
import Hummingbird

/// `POST /api/uploads`: a `multipart/form-data` body with a `file` part, answered with the file's size and SHA-256.
struct UploadsController {
    typealias Context = DemoRequestContext

    /// Largest file accepted: 1 MiB.
    static let maximumFileBytes = 1024 * 1024
    /// Largest body read: the file plus room for the multipart envelope and other fields.
    static let maximumBodyBytes = maximumFileBytes + 64 * 1024

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .post(use: upload)
    }

    struct Upload: ResponseEncodable {
        var id: String
        var filename: String
        var bytes: Int
        var sha256: String
    }

    @Sendable func upload(_ request: Request, context: Context) async throws -> EditedResponse<Upload> {
        guard let contentType = request.headers[.contentType], Multipart.isFormData(contentType: contentType) else {
            throw APIError(
                .unsupportedMediaType, .unsupportedMediaType,
                "send the file as multipart/form-data in a part named `file`"
            )
        }
        guard let boundary = Multipart.boundary(fromContentType: contentType) else {
            throw APIError.invalidRequest("the Content-Type names no multipart boundary")
        }
        let body = try await request.collectBody(limit: Self.maximumBodyBytes)
        guard let parts = Multipart.parse(Array(body.readableBytesView), boundary: boundary) else {
            throw APIError.invalidRequest("the multipart body is malformed")
        }
        guard let file = parts.first(where: { $0.name == "file" }) else {
            throw APIError.invalidRequest("the multipart body has no part named `file`")
        }
        guard file.body.count <= Self.maximumFileBytes else {
            throw APIError.tooLarge(
                "the file has \(file.body.count) bytes; at most \(Self.maximumFileBytes) are accepted")
        }
        let upload = Upload(
            id: "upl-" + Hex.random(byteCount: 8),
            filename: file.filename ?? "file",
            bytes: file.body.count,
            sha256: Hex.encode(SHA256.hash(data: file.body))
        )
        return EditedResponse(status: .created, response: upload)
    }
}
