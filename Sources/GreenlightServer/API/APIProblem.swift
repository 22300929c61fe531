package import Foundation
import GreenlightJSON
import HTTPTypes
package import OpenAPIRuntime

/// A refusal a handler throws anywhere: the status and a sentence saying what was wrong. The
/// ``ProblemMiddleware`` answers it as `application/problem+json` (RFC 9457), so that every operation's
/// 4xx look alike without each building its own response case.
struct APIProblem: Error, Sendable, CustomStringConvertible {
    var status: HTTPResponse.Status
    var detail: String
    var headers: HTTPFields = [:]

    init(_ status: HTTPResponse.Status, _ detail: String) {
        self.status = status
        self.detail = detail
    }

    static func badRequest(_ detail: String) -> APIProblem { APIProblem(.badRequest, detail) }
    static func forbidden(_ detail: String) -> APIProblem { APIProblem(.forbidden, detail) }
    static func notFound(_ detail: String) -> APIProblem { APIProblem(.notFound, detail) }
    static func conflict(_ detail: String) -> APIProblem { APIProblem(.conflict, detail) }
    static func unprocessable(_ detail: String) -> APIProblem { APIProblem(.unprocessableContent, detail) }

    static func unauthorized(_ detail: String) -> APIProblem {
        var problem = APIProblem(.unauthorized, detail)
        problem.headers[.wwwAuthenticate] = #"Bearer realm="greenlight""#
        return problem
    }

    var description: String { "\(status.code) \(detail)" }

    /// The problem document.
    var body: Data {
        let document: JSONValue = .object([
            ("type", .string("about:blank")), ("title", .string(status.reasonPhrase)), ("status", .int(status.code)),
            ("detail", .string(detail)),
        ])
        return Data(document.serialized().utf8)
    }

    var response: (HTTPResponse, HTTPBody) {
        var fields = headers
        fields[.contentType] = "application/problem+json"
        return (HTTPResponse(status: status, headerFields: fields), HTTPBody(body))
    }
}

/// Turns what a handler threw into a response: an ``APIProblem`` as itself, a request the generated code
/// could not decode (a malformed body, a missing or mistyped parameter) as 400 with the decoder's
/// reason; anything else is the server's fault and stays a 500 (logged, never shown).
struct ProblemMiddleware: ServerMiddleware {
    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        // An empty body is no body: an optional JSON body left out must not fail to decode as JSON.
        var body = body
        if request.headerFields[.contentType] == nil,
            request.headerFields[.contentLength] == "0"
                || request.headerFields[.contentLength] == nil
                    && request.headerFields[.transferEncoding] == nil
        {
            body = nil
        }
        do {
            return try await next(request, body, metadata)
        } catch {
            if let problem = Self.problem(error) { return problem.response }
            throw error
        }
    }

    static func problem(_ error: any Error) -> APIProblem? {
        if let problem = error as? APIProblem { return problem }
        if let serverError = error as? ServerError {
            if let problem = serverError.underlyingError as? APIProblem { return problem }
            // Raised by the generated code before the handler ran: the request does not fit the API.
            if serverError.operationInput == nil || serverError.underlyingError is DecodingError
                || serverError.causeDescription.contains("decod")
                || serverError.causeDescription.contains("parameter")
                || serverError.causeDescription.contains("content type")
                || serverError.causeDescription.contains("body")
            {
                return .badRequest("the request does not fit the API (docs/openapi.yaml): \(Self.reason(serverError))")
            }
        }
        return nil
    }

    private static func reason(_ error: ServerError) -> String {
        if let decoding = error.underlyingError as? DecodingError {
            switch decoding {
            case .keyNotFound(let key, let context):
                return "missing \(Self.path(context.codingPath + [key]))"
            case .typeMismatch(_, let context), .valueNotFound(_, let context):
                return "\(Self.path(context.codingPath)): \(context.debugDescription)"
            case .dataCorrupted(let context):
                return context.codingPath.isEmpty
                    ? "the body is not JSON" : "\(Self.path(context.codingPath)): \(context.debugDescription)"
            @unknown default:
                return error.causeDescription
            }
        }
        return error.causeDescription
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        keys.isEmpty ? "the body" : keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
