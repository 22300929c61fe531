import Hummingbird

/// `POST /api/login` and `GET /api/me`.
struct AuthController {
    typealias Context = DemoRequestContext

    let sessions: Sessions

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .post("login", use: login)
            .get("me", use: me)
    }

    struct Credentials: Decodable {
        var user: String
        var password: String
    }

    struct SignedIn: ResponseEncodable {
        var token: String
        var user: String
    }

    struct Identity: ResponseEncodable {
        var user: String
    }

    @Sendable func login(_ request: Request, context: Context) async throws -> Response {
        let credentials = try await request.decodeJSON(Credentials.self)
        guard Users.authenticate(user: credentials.user, password: credentials.password) else {
            throw APIError(.unauthorized, .invalidCredentials, "the user or the password is wrong")
        }
        let token = sessions.open(for: credentials.user)
        var response = try SignedIn(token: token, user: credentials.user).response(from: request, context: context)
        response.headers[.setCookie] = "session=\(token); Path=/; HttpOnly"
        return response
    }

    @Sendable func me(_ request: Request, context: Context) async throws -> Identity {
        guard let user = try sessions.user(authenticating: request) else {
            throw APIError.unauthorized("sign in first: send `Authorization: Bearer <token>` or the session cookie")
        }
        return Identity(user: user)
    }
}

extension Sessions {
    /// The signed-in user of a request: from its Bearer token, else from its `session` cookie.
    ///
    /// Returns nil when the request carries neither; throws 401 `unauthorized` for a Bearer token that is not valid.
    /// A stale cookie counts as no session.
    func user(authenticating request: Request) throws(APIError) -> String? {
        if let authorization = request.headers[.authorization] {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "bearer",
                let user = user(for: String(parts[1].trimmingSpaces()))
            else {
                throw APIError.unauthorized("the Authorization header holds no valid Bearer token: sign in again")
            }
            return user
        }
        if let cookie = request.cookies["session"] {
            return user(for: cookie.value)
        }
        return nil
    }
}
