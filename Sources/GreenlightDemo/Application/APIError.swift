import GreenlightJSON
import Hummingbird

/// An error answered to a client as `{"error": "<code>", "message": "<human text>"}` with a 4xx/5xx status.
struct APIError: HTTPResponseError, Equatable {
    /// The machine-readable `error` field; clients and smoke checks match on it.
    struct Code: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        var rawValue: String
        init(rawValue: String) { self.rawValue = rawValue }

        static let invalidRequest = Code(rawValue: "invalid_request")
        static let invalidCredentials = Code(rawValue: "invalid_credentials")
        static let unauthorized = Code(rawValue: "unauthorized")
        static let cardDeclined = Code(rawValue: "card_declined")
        static let notFound = Code(rawValue: "not_found")
        static let methodNotAllowed = Code(rawValue: "method_not_allowed")
        static let outOfStock = Code(rawValue: "out_of_stock")
        static let tooLarge = Code(rawValue: "too_large")
        static let unsupportedMediaType = Code(rawValue: "unsupported_media_type")
        static let internalError = Code(rawValue: "internal")

        var description: String { rawValue }
    }

    var status: HTTPResponse.Status
    var code: Code
    var message: String

    init(_ status: HTTPResponse.Status, _ code: Code, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    static func invalidRequest(_ message: String) -> APIError { .init(.badRequest, .invalidRequest, message) }
    static func notFound(_ message: String) -> APIError { .init(.notFound, .notFound, message) }
    static func unauthorized(_ message: String) -> APIError { .init(.unauthorized, .unauthorized, message) }
    static func tooLarge(_ message: String) -> APIError { .init(.contentTooLarge, .tooLarge, message) }
    static func internalError(_ message: String) -> APIError { .init(.internalServerError, .internalError, message) }

    /// Any error thrown while answering a request, in the API's shape.
    init(from error: any Error) {
        switch error {
        case let error as APIError:
            self = error
        case let error as HTTPError:
            self.init(translating: error.status, message: error.body)
        case let error as any HTTPResponseError:
            self.init(translating: error.status, message: nil)
        default:
            self = .internalError("the request failed unexpectedly")
        }
    }

    private init(translating status: HTTPResponse.Status, message: String?) {
        let code: Code =
            switch status.code {
            case 400: .invalidRequest
            case 401: .unauthorized
            case 404: .notFound
            case 405: .methodNotAllowed
            case 413: .tooLarge
            case 415: .unsupportedMediaType
            case 500...: .internalError
            default: Code(rawValue: "http_\(status.code)")
            }
        self.init(status, code, message ?? status.reasonPhrase)
    }

    func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = JSONValue.object([("error", .string(code.rawValue)), ("message", .string(message))]).jsonText
        return Response.json(body, status: status)
    }
}

extension HTTPResponse.Status {
    /// 402: HTTPTypes names no constant for it.
    static let paymentRequired = HTTPResponse.Status(code: 402, reasonPhrase: "Payment Required")
}

extension Response {
    /// A response carrying already-serialized JSON.
    static func json(_ text: String, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}
