package import Foundation
import GreenlightLedger
import HTTPTypes
package import OpenAPIRuntime

/// Checks the bearer token of every operation but the health check, against the ledger's token records
/// and the signer registry as they stand now (a revoked token or a removed signer is refused from the
/// next call), and runs the handler with the ``Caller`` set.
struct TokenMiddleware: ServerMiddleware {
    let index: LedgerIndex
    /// Operations anyone may call.
    static let open: Set<String> = ["getHealth"]

    func intercept(
        _ request: HTTPRequest, body: HTTPBody?, metadata: ServerRequestMetadata, operationID: String,
        next: @Sendable (HTTPRequest, HTTPBody?, ServerRequestMetadata) async throws -> (HTTPResponse, HTTPBody?)
    ) async throws -> (HTTPResponse, HTTPBody?) {
        if Self.open.contains(operationID) { return try await next(request, body, metadata) }
        guard let header = request.headerFields[.authorization] else {
            return APIProblem.unauthorized(
                "this call needs a token: Authorization: Bearer glt_… (greenlight token new --signer NAME makes one)"
            ).response
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            return APIProblem.unauthorized("the Authorization header is not a bearer token").response
        }
        let text = parts[1].trimmingCharacters(in: .whitespaces)
        let state = try await index.current()
        guard let (token, registration) = state.access.caller(token: text) else {
            return APIProblem.unauthorized(
                "the token is unknown, revoked or expired, or its signer is no longer registered"
            )
            .response
        }
        let caller = Caller(signer: token.signer, roles: registration.roles, tokenID: token.id)
        return try await Caller.$current.withValue(caller) {
            try await LedgerIndex.$requestState.withValue(state) { try await next(request, body, metadata) }
        }
    }
}
