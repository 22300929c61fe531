import GreenlightLedger

/// Who is calling: the signer a token speaks for, with their roles as the registry holds them now. Set
/// by ``TokenMiddleware`` for the handler's task.
struct Caller: Sendable {
    var signer: String
    var roles: [String]
    var tokenID: String

    @TaskLocal static var current: Caller?

    /// The caller of the operation running; the middleware guarantees one on every `/api/v1` call.
    static func required() throws -> Caller {
        guard let current else { throw APIProblem.unauthorized("this call needs a token: Authorization: Bearer glt_…") }
        return current
    }

    /// Throws 403 unless the caller holds one of `roles`.
    func require(anyOf roles: Set<String>, to action: String) throws {
        guard self.roles.contains(where: roles.contains) else {
            throw APIProblem.forbidden(
                "\(signer) (roles \(self.roles.joined(separator: ", "))) may not \(action): that needs the role \(roles.sorted().joined(separator: " or "))"
            )
        }
    }
}
