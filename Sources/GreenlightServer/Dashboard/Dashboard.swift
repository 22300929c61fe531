public import Foundation
import GreenlightCanary
import GreenlightLedger
import HTTPTypes
import Hummingbird

/// What the outgoing webhooks tried to deliver: the dashboard's home page lists the failures. The
/// webhook sender supplies it; entries whose status is delivered, ok, success or a 2xx code are not
/// failures and are not shown.
public typealias DashboardDeliveries =
    @Sendable () -> [(target: String, event: String, status: String, detail: String, time: Date)]

/// The team server's web pages: server-rendered HTML (swift-mustache), read-only but for the flags' kill
/// switch. A person signs in by pasting their personal token; the session (an id in a cookie) keeps the
/// token in this process's memory and every page checks it against the ledger again. The pages never
/// sign anything: a sign-off is made with the signer's private key, on their machine, by the CLI.
/// docs/dashboard.md.
struct Dashboard: Sendable {
    let views: DashboardViews
    let sessions = DashboardSessions()
    let operatorRoles: Set<String>

    init(index: LedgerIndex, flags: FlagStore, configuration: TeamServerConfiguration) {
        operatorRoles = configuration.operatorRoles
        views = DashboardViews(
            index: index, flags: flags, operatorRoles: operatorRoles, deliveries: configuration.deliveries)
    }

    /// Who a page is for: the session and the token's signer as the ledger knows them now.
    struct Visitor: Sendable {
        var sessionID: String
        var session: DashboardSessions.Session
        var signer: String
        var roles: [String]

        func chrome(_ current: String) -> Chrome {
            Chrome(
                signer: signer, roles: roles.isEmpty ? "no role" : roles.joined(separator: ", "),
                csrf: session.csrf, onReleases: current == "releases", onFlags: current == "flags")
        }
    }

    func mount<Context: RequestContext>(on router: Router<Context>) {
        router.get("/login") { request, _ -> Response in
            if try await visitor(request) != nil {
                return Self.redirect(Self.next(request.uri.queryParameters.get("next")))
            }
            return page("login", LoginPage(error: nil, next: Self.next(request.uri.queryParameters.get("next"))))
        }
        router.post("/login") { request, _ -> Response in
            let form = try await Self.form(request)
            let next = Self.next(form["next"])
            let token = (form["token"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !token.isEmpty, try await views.index.access().caller(token: token) != nil else {
                let error =
                    token.isEmpty
                    ? "Paste your personal token (it starts with glt_)."
                    : "That token is unknown, revoked or expired, or its signer is no longer registered."
                return page("login", LoginPage(error: error, next: next), status: .unauthorized)
            }
            let id = sessions.open(token: token)
            var response = Self.redirect(next)
            response.headers.append(
                HTTPField(
                    name: .setCookie,
                    value: "\(DashboardSessions.cookieName)=\(id); Path=/; HttpOnly; SameSite=Strict"
                        + (Self.isHTTPS(request) ? "; Secure" : "")))
            return response
        }
        router.post("/logout") { request, _ -> Response in
            let form = try await Self.form(request)
            if let visitor = try await visitor(request) {
                guard DashboardSessions.same(form["csrf"] ?? "", visitor.session.csrf) else {
                    return refused(visitor, "The sign-out form was not this session's; nothing was done.")
                }
                sessions.close(visitor.sessionID)
            }
            var response = Self.redirect("/login")
            response.headers.append(
                HTTPField(
                    name: .setCookie,
                    value: "\(DashboardSessions.cookieName)=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0"))
            return response
        }
        router.get("/") { request, _ -> Response in
            guard let visitor = try await visitor(request) else { return Self.toLogin(request) }
            return page("releases", try await views.releases(chrome: visitor.chrome("releases")))
        }
        router.get("/releases/:release") { request, context -> Response in
            guard let visitor = try await visitor(request) else { return Self.toLogin(request) }
            let name = Self.parameter(context, "release")
            guard
                let release = try await views.release(
                    name, chrome: visitor.chrome("releases"), serverURL: Self.serverURL(request))
            else { return unknown(visitor, name) }
            return page("release", release)
        }
        router.get("/releases/:release/canary") { request, context -> Response in
            guard let visitor = try await visitor(request) else { return Self.toLogin(request) }
            let name = Self.parameter(context, "release")
            guard let canary = try await views.canary(name, chrome: visitor.chrome("releases")) else {
                return unknown(visitor, name)
            }
            return page("canary", canary)
        }
        router.get("/releases/:release/canary/fragment") { request, context -> Response in
            // The polling script's request: no redirect (it would swap the login page in), a 401 it shows.
            guard try await visitor(request) != nil else {
                return Self.html(
                    "<p class=\"notice\">Your session has ended. <a href=\"/login\">Sign in again</a>.</p>",
                    status: .unauthorized)
            }
            guard let live = try await views.canaryLive(Self.parameter(context, "release")) else {
                return Self.html("<p class=\"notice\">No such release.</p>", status: .notFound)
            }
            return Self.html(DashboardTemplates.render("canaryLive", live))
        }
        router.get("/flags") { request, _ -> Response in
            guard let visitor = try await visitor(request) else { return Self.toLogin(request) }
            return page("flags", try await views.flagsPage(chrome: visitor.chrome("flags"), roles: visitor.roles))
        }
        router.post("/flags/:key/kill") { request, context -> Response in
            try await flagChange(request, key: Self.parameter(context, "key"), kill: true)
        }
        router.post("/flags/:key/revive") { request, context -> Response in
            try await flagChange(request, key: Self.parameter(context, "key"), kill: false)
        }
    }

    /// The first POST (from the flags page) shows what will happen; the second, with `confirm` and the
    /// session's form token, does it.
    private func flagChange(_ request: Request, key: String, kill: Bool) async throws -> Response {
        guard let visitor = try await visitor(request) else { return Self.redirect("/login?next=/flags") }
        let verb = kill ? "kill" : "revive"
        guard visitor.roles.contains(where: operatorRoles.contains) else {
            return refused(
                visitor,
                "\(visitor.signer) may not \(verb) a flag: that needs the role \(operatorRoles.sorted().joined(separator: " or ")).",
                status: .forbidden)
        }
        let form = try await Self.form(request)
        let views = self.views
        guard let entry = try await views.flags.refresh().entries[key] else {
            return message(visitor, "No such flag", "There is no flag \(key).", status: .notFound, back: "/flags")
        }
        guard form["confirm"] == "yes" else {
            let consequence =
                kill
                ? "Every evaluation of \(key) will serve its kill variant from the next poll of the flag providers, until someone revives it."
                : "\(key) will serve its variants by its rules again from the next poll of the flag providers."
            return page(
                "confirm",
                ConfirmPage(
                    chrome: visitor.chrome("flags"), key: key, verb: verb,
                    action: "/flags/\(DashboardViews.pathSegment(key))/\(verb)", consequence: consequence, kill: kill))
        }
        guard DashboardSessions.same(form["csrf"] ?? "", visitor.session.csrf) else {
            return refused(
                visitor, "The confirmation did not carry this session's form token, so the flag was not changed.")
        }
        let reason = "from the dashboard"
        if kill {
            _ = try await views.flags.kill(key, by: visitor.signer, reason: reason)
        } else if entry.flag.killed {
            do {
                try await views.flags.set(entry.flag, by: visitor.signer, reason: reason, revive: true)
            } catch let error as FlagError {
                return message(visitor, "Not revived", error.description, status: .unprocessableContent, back: "/flags")
            }
        }
        return Self.redirect("/flags")
    }

    // MARK: - Sessions

    /// The visitor of a request with a session whose token still names a registered signer; a session
    /// whose token was revoked (or expired, or whose signer was removed) is closed here.
    private func visitor(_ request: Request) async throws -> Visitor? {
        guard let id = Self.cookie(request, DashboardSessions.cookieName), let session = sessions.session(id) else {
            return nil
        }
        guard let (token, registration) = try await views.index.access().caller(token: session.token) else {
            sessions.close(id)
            return nil
        }
        return Visitor(sessionID: id, session: session, signer: token.signer, roles: registration.roles)
    }

    static func cookie(_ request: Request, _ name: String) -> String? {
        for header in request.headers[values: .cookie] {
            for pair in header.split(separator: ";") {
                let parts = pair.split(separator: "=", maxSplits: 1)
                if parts.count == 2, parts[0].trimmingCharacters(in: .whitespaces) == name {
                    return parts[1].trimmingCharacters(in: .whitespaces)
                }
            }
        }
        return nil
    }

    // MARK: - Responses

    private func page(_ template: String, _ value: some Sendable, status: HTTPResponse.Status = .ok) -> Response {
        Self.html(DashboardTemplates.render(template, value), status: status)
    }

    private func message(
        _ visitor: Visitor?, _ title: String, _ text: String, status: HTTPResponse.Status, back: String = "/"
    ) -> Response {
        page(
            "message", MessagePage(chrome: visitor?.chrome(""), title: title, message: text, back: back),
            status: status)
    }

    private func refused(_ visitor: Visitor, _ text: String, status: HTTPResponse.Status = .forbidden) -> Response {
        message(visitor, "Refused", text, status: status, back: "/flags")
    }

    private func unknown(_ visitor: Visitor, _ name: String) -> Response {
        message(visitor, "No such release", "The ledger holds no record of \(name).", status: .notFound)
    }

    static func html(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy:
                    "default-src 'none'; style-src 'unsafe-inline'; script-src '\(DashboardTemplates.scriptHash)'; "
                    + "connect-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
                HTTPField.Name("X-Content-Type-Options")!: "nosniff",
                HTTPField.Name("Referrer-Policy")!: "same-origin",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func redirect(_ location: String) -> Response {
        Response(status: .seeOther, headers: [.location: location, .cacheControl: "no-store"])
    }

    static func toLogin(_ request: Request) -> Response {
        let path = request.uri.path
        return redirect(
            path == "/"
                ? "/login" : "/login?next=" + (path.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")
        )
    }

    /// Where to go after signing in: a path of this server only (never another site).
    static func next(_ value: (some StringProtocol)?) -> String {
        guard let value else { return "/" }
        let text = String(value).removingPercentEncoding ?? ""
        guard text.hasPrefix("/"), !text.hasPrefix("//"), !text.contains("\\"),
            text.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F })
        else { return "/" }
        return text
    }

    static func parameter(_ context: some RequestContext, _ name: String) -> String {
        let raw = context.parameters.get(name) ?? ""
        return raw.removingPercentEncoding ?? raw
    }

    static func isHTTPS(_ request: Request) -> Bool {
        request.headers[HTTPField.Name("X-Forwarded-Proto")!]?.lowercased() == "https" || request.head.scheme == "https"
    }

    /// This server's URL as the visitor reached it, for the CLI commands the pages show.
    static func serverURL(_ request: Request) -> String {
        let host = request.head.authority ?? "127.0.0.1"
        let safe = host.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || ".-:[]_".unicodeScalars.contains($0)
        }
        return (isHTTPS(request) ? "https://" : "http://") + (safe ? host : "127.0.0.1")
    }

    /// An `application/x-www-form-urlencoded` body, up to 64 KiB.
    static func form(_ request: Request) async throws -> [String: String] {
        var request = request
        let body = try await request.collectBody(upTo: 64 * 1024)
        var fields: [String: String] = [:]
        for pair in String(buffer: body).split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            func decode(_ text: Substring) -> String {
                text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? ""
            }
            let name = decode(parts[0])
            if fields[name] == nil { fields[name] = parts.count > 1 ? decode(parts[1]) : "" }
        }
        return fields
    }
}
