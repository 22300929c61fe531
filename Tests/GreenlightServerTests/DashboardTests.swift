import AsyncHTTPClient
import Foundation
import GreenlightCanary
import GreenlightJSON
import GreenlightServer
import GreenlightTestSupport
import NIOCore
import NIOHTTP1
import Testing

@testable import GreenlightCore
@testable import GreenlightLedger

/// The dashboard against a real server on a real SQLite ledger: sign-in, every page with the release's
/// data, escaping of what the ledger holds, the kill switch's confirmation and form token, and each page
/// in a real headless Chromium.
@Suite("The dashboard")
struct DashboardTests {
    static let releasePath = "/releases/checkout@2.14.0"
    static let hostile = "<script>alert(1)</script>"

    /// A release with a GO report needing engineering and sre, erin's approval (with a hostile comment),
    /// a canary's rollout events and a flag.
    static func populated(
        deliveries: DashboardDeliveries? = nil, log: (@Sendable (String) -> Void)? = nil
    ) async throws -> ServerSetup {
        let setup = try await ServerSetup.start(log: log, deliveries: deliveries)
        // The fixture's report, with a load test's timeline (the release page charts it) and a check with
        // details and evidence.
        var report = ServerSetup.report()
        report.checks.append(
            CheckResult(
                id: "load.checkout", title: "Checkout under load", category: .load, status: .warn,
                summary: "p99 212 ms, within 250 ms", details: ["600 requests, 0 errors"],
                evidence: [
                    .init(kind: "file", reference: "load/result.json", sha256: String(repeating: "ab", count: 32))
                ],
                required: false))
        let seconds = Array(0..<30)
        report.loadTimeline = LoadTimeline(
            title: "http://127.0.0.1:8080/ · open model · 20 req/s for 30 s", seconds: seconds,
            rps: seconds.map { _ in 20 }, p50Ms: seconds.map { 11 + Double($0 % 5) },
            p99Ms: seconds.map { 40 + Double(($0 * 7) % 30) }, errors: seconds.map { _ in 0 },
            targetRps: seconds.map { _ in 20 })
        report.digest = report.computeDigest()
        let digest = try #require(report.digest)
        try await setup.ledger.record(report: report, specRoles: ["engineering", "sre"], forbidAuthorApproval: true)
        _ = try await setup.ledger.record(signOff: setup.signOff("erin", "engineering", digest, comment: hostile))
        let log = RolloutEventLog(store: setup.ledger.store, release: ServerSetup.release)
        _ = try await log.record(RolloutEvent(action: .start, from: 0, to: 0, by: "greenlight rollout"))
        _ = try await log.record(RolloutEvent(action: .step, from: 0, to: 5, by: "greenlight rollout"))
        for (score, reason) in [(100.0, "step 1 interval 1"), (87.5, "<img src=x onerror=alert(2)>")] {
            var analysis = RolloutEvent(action: .analysis, from: 5, to: 5, by: "greenlight rollout", reason: reason)
            analysis.evidence = .object([("score", .double(score)), ("outcome", .string("pass"))])
            _ = try await log.record(analysis)
        }
        _ = try await log.record(RolloutEvent(action: .step, from: 5, to: 25, by: "greenlight rollout"))
        try await FlagStore(ledger: setup.ledger.store).set(
            FeatureFlag(key: "new-checkout", variants: ["on": .bool(true), "off": .bool(false)], defaultVariant: "on"),
            by: "erin")
        return setup
    }

    @Test(
        "sign-in: pages redirect without a session, a wrong token is refused, the cookie is HttpOnly and SameSite=Strict, sign-out and revocation end the session"
    )
    func signIn() async throws {
        let setup = try await Self.populated()
        defer { Task { await setup.stop() } }
        let browser = try DashboardBrowser(setup.server.baseURL)
        defer { browser.close() }

        for path in ["/", Self.releasePath, Self.releasePath + "/canary", "/flags"] {
            let answer = try await browser.get(path)
            #expect(answer.status == 303, "\(path)")
            #expect(answer.header("Location")?.hasPrefix("/login") == true, "\(path)")
        }
        let redirect = try await browser.get(Self.releasePath)
        #expect(redirect.header("Location") == "/login?next=%2Freleases%2Fcheckout%402%2E14%2E0")

        let form = try await browser.get("/login")
        #expect(form.status == 200)
        #expect(form.text.contains(#"<label for="token">"#))
        #expect(form.text.contains(#"<html lang="en">"#))

        let wrong = try await browser.post("/login", ["token": "glt_" + String(repeating: "A", count: 43)])
        #expect(wrong.status == 401)
        #expect(wrong.header("Set-Cookie") == nil)
        #expect(wrong.text.contains("unknown, revoked or expired"))
        #expect(try await browser.get("/").status == 303)

        // An open redirect is not followed: next must be a path of this server.
        let signedIn = try await browser.post(
            "/login", ["token": try #require(setup.tokens["pat"]), "next": "//evil.example/"])
        #expect(signedIn.status == 303)
        #expect(signedIn.header("Location") == "/")
        let cookie = try #require(signedIn.header("Set-Cookie"))
        #expect(cookie.hasPrefix("greenlight_session="))
        #expect(cookie.contains("HttpOnly"))
        #expect(cookie.contains("SameSite=Strict"))
        #expect(cookie.contains("Path=/"))
        #expect(!cookie.contains(try #require(setup.tokens["pat"])))
        let home = try await browser.get("/")
        #expect(home.status == 200)
        #expect(home.text.contains("Signed in as <b>pat</b>"))

        // Sign-out needs the session's form token.
        #expect(try await browser.post("/logout", ["csrf": "forged"]).status == 403)
        #expect(try await browser.get("/").status == 200)
        let out = try await browser.post("/logout", ["csrf": try browser.csrf(of: home.text)])
        #expect(out.status == 303)
        #expect(out.header("Set-Cookie")?.contains("Max-Age=0") == true)
        #expect(try await browser.get("/").status == 303)

        // A revoked token ends its session at the next page.
        let sam = try #require(setup.tokens["sam"])
        #expect(try await browser.login(sam, next: Self.releasePath).header("Location") == Self.releasePath)
        #expect(try await browser.get(Self.releasePath).status == 200)
        let id = try #require(try await setup.ledger.tokens().byHash[AccessToken.digest(of: sam)]?.id)
        try await setup.ledger.revokeToken(id: id, admin: setup.admin)
        #expect(try await browser.get(Self.releasePath).status == 303)
        #expect(try await browser.get(Self.releasePath + "/canary/fragment").status == 401)
    }

    @Test("every page answers 200 with the release's data, and what the ledger holds comes out escaped")
    func pages() async throws {
        let failedAt = Date(timeIntervalSince1970: 1_950_000_000)
        let setup = try await Self.populated(deliveries: {
            [
                (
                    target: "https://hooks.example/greenlight", event: "gate", status: "503",
                    detail: "Service Unavailable <b>down</b>", time: failedAt
                ),
                (target: "https://ok.example/", event: "report", status: "200", detail: "fine", time: failedAt),
            ]
        })
        defer { Task { await setup.stop() } }
        let browser = try DashboardBrowser(setup.server.baseURL)
        defer { browser.close() }
        #expect(try await browser.login(try #require(setup.tokens["sam"])).status == 303)

        let home = try await browser.get("/")
        #expect(home.status == 200)
        #expect(home.header("Content-Security-Policy")?.contains("default-src 'none'") == true)
        for text in [
            #"<a href="/releases/checkout@2.14.0">checkout@2.14.0</a>"#, ">GO<", ">closed<", "running", "25 %",
            "Webhook deliveries that failed", "https://hooks.example/greenlight",
            "Service Unavailable &lt;b&gt;down&lt;/b&gt;",
        ] {
            #expect(home.text.contains(text), "home: \(text)")
        }
        #expect(!home.text.contains("https://ok.example/"), "a delivered webhook is no failure")

        let digest = try #require(try await setup.ledger.latestReport(release: ServerSetup.release)?.entry.digest)
        let release = try await browser.get(Self.releasePath)
        #expect(release.status == 200)
        for text in [
            "Sign in", "200 in 12 ms", "smoke.sign-in", "Risk: class", "<svg class=\"matrix\"", "gate closed",
            "Latency over time", "load/result.json", "600 requests, 0 errors",
            "no approval by sre", ">approved<", ">missing<",
            "greenlight signoff checkout@2.14.0 --role sre --decision approve --report \(digest) --ledger \(setup.server.baseURL)",
            "This page never signs", "&lt;script&gt;alert(1)&lt;/script&gt;",
            #"<a href="https://github.com/acme/checkout/issues/42">"#,
        ] {
            #expect(release.text.contains(text), "release: \(text)")
        }
        #expect(!release.text.contains(Self.hostile))
        #expect(!release.text.contains("--role engineering"), "engineering approved already")

        let canary = try await browser.get(Self.releasePath + "/canary")
        #expect(canary.status == 200)
        for text in [
            "<svg class=\"canary-chart\"", "analysis", "87.5", "5 % → 25 %", "&lt;img src=x onerror=alert(2)&gt;",
            #"data-fragment="/releases/checkout@2.14.0/canary/fragment""#, "<script>",
        ] {
            #expect(canary.text.contains(text), "canary: \(text)")
        }
        #expect(!canary.text.contains("<img src=x"))

        let fragment = try await browser.get(Self.releasePath + "/canary/fragment")
        #expect(fragment.status == 200)
        #expect(fragment.text.contains("<svg class=\"canary-chart\""))
        #expect(!fragment.text.contains("<html"))
        // A rollout event recorded now shows at the next poll.
        _ = try await RolloutEventLog(store: setup.ledger.store, release: ServerSetup.release).record(
            RolloutEvent(action: .weight, from: 25, to: 50, by: "sam"))
        #expect(try await browser.get(Self.releasePath + "/canary/fragment").text.contains("25 % → 50 %"))

        let flags = try await browser.get("/flags")
        #expect(flags.status == 200)
        #expect(flags.text.contains("<code>new-checkout</code>"))
        #expect(flags.text.contains(">Kill new-checkout</button>"))

        #expect(try await browser.get("/releases/nothing@1.0").status == 404)
    }

    @Test("the command the release page shows for a missing role, run by that signer, approves and opens the gate")
    func shownCommandSigns() async throws {
        let setup = try await Self.populated()
        defer { Task { await setup.stop() } }
        let browser = try DashboardBrowser(setup.server.baseURL)
        defer { browser.close() }
        let sam = try #require(setup.tokens["sam"])
        _ = try await browser.login(sam)
        let page = try await browser.get(Self.releasePath).text
        let start = try #require(page.range(of: "<pre><code>greenlight signoff ")).upperBound
        let command = String(page[start...].prefix { $0 != "<" })
        #expect(command.hasPrefix("checkout@2.14.0 --role sre --decision approve --report sha256:"))
        let key = setup.folder.appending("sam.key").path
        try #require(setup.keys["sam"]).write(privateTo: key, publicTo: setup.folder.appending("sam.pub").path)
        let run = try await GreenlightBinary.run(
            ["signoff"] + command.split(separator: " ").map(String.init) + ["--key", key],
            environment: ["GREENLIGHT_TOKEN": sam])
        #expect(run.status == 0, "\(run.output)")
        #expect(try await setup.ledger.gate(release: ServerSetup.release).isOpen)
        let after = try await browser.get(Self.releasePath).text
        #expect(after.contains("gate open"))
        #expect(!after.contains("<pre><code>greenlight signoff "))
    }

    @Test("the kill switch asks first, needs the session's form token, works for sre and is refused for product")
    func killFlow() async throws {
        let setup = try await Self.populated()
        defer { Task { await setup.stop() } }
        let store = FlagStore(ledger: setup.ledger.store)
        func killed() async throws -> Bool {
            try #require(try await store.refresh().entries["new-checkout"]).flag.killed
        }

        let pat = try DashboardBrowser(setup.server.baseURL)
        defer { pat.close() }
        _ = try await pat.login(try #require(setup.tokens["pat"]))
        let patFlags = try await pat.get("/flags")
        #expect(patFlags.text.contains("disabled aria-describedby=\"why-not\""))
        #expect(patFlags.text.contains("needs the role ci or engineering or sre; you hold product"))
        let patCSRF = try pat.csrf(of: patFlags.text)
        let refused = try await pat.post("/flags/new-checkout/kill", ["confirm": "yes", "csrf": patCSRF])
        #expect(refused.status == 403)
        #expect(try await killed() == false)

        let sam = try DashboardBrowser(setup.server.baseURL)
        defer { sam.close() }
        _ = try await sam.login(try #require(setup.tokens["sam"]))
        let samFlags = try await sam.get("/flags")
        #expect(!samFlags.text.contains("disabled aria-describedby"))
        // The first POST only asks.
        let ask = try await sam.post("/flags/new-checkout/kill", [:])
        #expect(ask.status == 200)
        #expect(ask.text.contains("Kill the flag <code>new-checkout</code>?"))
        #expect(try await killed() == false)
        // Confirmed without the form token, or with another session's: refused.
        #expect(try await sam.post("/flags/new-checkout/kill", ["confirm": "yes"]).status == 403)
        #expect(try await sam.post("/flags/new-checkout/kill", ["confirm": "yes", "csrf": patCSRF]).status == 403)
        #expect(try await killed() == false)
        // Confirmed with it: killed, in sam's name.
        let done = try await sam.post(
            "/flags/new-checkout/kill", ["confirm": "yes", "csrf": try sam.csrf(of: ask.text)])
        #expect(done.status == 303)
        #expect(done.header("Location") == "/flags")
        #expect(try await killed() == true)
        #expect(try await store.refresh().entries["new-checkout"]?.by == "sam")
        let after = try await sam.get("/flags")
        #expect(after.text.contains(">killed<"))
        #expect(after.text.contains(">Revive new-checkout</button>"))
        // Revive: the same two steps.
        let reviveAsk = try await sam.post("/flags/new-checkout/revive", [:])
        #expect(reviveAsk.status == 200)
        #expect(try await killed() == true)
        let revived = try await sam.post(
            "/flags/new-checkout/revive", ["confirm": "yes", "csrf": try sam.csrf(of: reviveAsk.text)])
        #expect(revived.status == 303)
        #expect(try await killed() == false)
    }

    @Test("each page renders in headless Chromium without script or console errors; the canary page refreshes itself")
    func chromium() async throws {
        let chromium = try #require(
            ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
                FileManager.default.isExecutableFile(atPath: $0)
            },
            "headless Chromium is needed (scripts/test installs it with apt)")
        let requests = LockBox<[String]>([])
        let setup = try await Self.populated(
            deliveries: {
                [
                    (
                        target: "https://hooks.example/greenlight", event: "gate", status: "503",
                        detail: "Service Unavailable after 3 attempts", time: Date(timeIntervalSince1970: 1_950_000_000)
                    )
                ]
            }, log: { line in requests.withValue { $0.append(line) } })
        defer { Task { await setup.stop() } }
        let signIn = try await ChromiumSignIn(server: setup.server.baseURL, token: try #require(setup.tokens["sam"]))
        defer { Task { await signIn.stop() } }
        let shots = ProcessInfo.processInfo.environment["GREENLIGHT_DASHBOARD_SHOTS"]
        let pages: [(name: String, path: String, expect: [String])] = [
            ("releases", "/", ["checkout@2.14.0", "Signed in as", "Webhook deliveries that failed"]),
            ("release", Self.releasePath, ["200 in 12 ms", "This page never signs", "&lt;script&gt;alert(1)"]),
            ("canary", Self.releasePath + "/canary", ["Updates every 2 seconds.", "canary-chart"]),
            ("flags", "/flags", ["new-checkout", "Kill new-checkout"]),
        ]
        for page in pages {
            let run = try await signIn.browse(chromium, page.path, dumpDOM: true)
            #expect(run.output.contains("<h1>"), "\(page.name): \(run.output.suffix(2000))")
            for text in page.expect {
                #expect(run.output.contains(text), "\(page.name): \(text)")
            }
            #expect(!run.output.contains("Sign in</h1>"), "\(page.name) landed on the sign-in page")
            #expect(run.consoleErrors.isEmpty, "\(page.name): \(run.consoleErrors)")
            if page.name == "canary" {
                // The script polled the fragment (with the session's cookie) and swapped it in.
                #expect(
                    requests.current.contains { $0.contains("/canary/fragment") && $0.contains(#""status":200"#) },
                    "the canary page did not poll its fragment: \(requests.current.filter { $0.contains("canary") })")
            }
            if let shots {
                for (width, height) in [(1280, 2600), (390, 3000)] {
                    _ = try await signIn.browse(
                        chromium, page.path, screenshot: "\(shots)/\(page.name)-\(width).png", size: (width, height))
                }
            }
        }
        // As product, the kill button is there but disabled, with the reason.
        let product = try await ChromiumSignIn(server: setup.server.baseURL, token: try #require(setup.tokens["pat"]))
        defer { Task { await product.stop() } }
        let flags = try await product.browse(chromium, "/flags", dumpDOM: true)
        #expect(flags.output.contains("disabled"))
        #expect(flags.output.contains("you hold product"))
        #expect(flags.consoleErrors.isEmpty, "\(flags.consoleErrors)")
        if let shots {
            for (width, height) in [(1280, 900), (390, 1200)] {
                _ = try await product.browse(
                    chromium, "/flags", screenshot: "\(shots)/flags-product-\(width).png", size: (width, height))
            }
            try await ChildProcess.run(
                chromium,
                ChromiumSignIn.flags(profile: signIn.folder.appending("login").path) + [
                    "--screenshot=\(shots)/login-1280.png", "--window-size=1280,700", setup.server.baseURL + "/login",
                ])
        }
    }
}

/// A client that keeps the dashboard's session cookie and does not follow redirects, as a test reads them.
final class DashboardBrowser: Sendable {
    let base: String
    let client: HTTPClient
    let cookie = LockBox<String?>(nil)

    init(_ base: String) throws {
        self.base = base
        client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: .init(redirectConfiguration: .disallow))
    }

    func close() { try? client.syncShutdown() }

    func get(_ path: String) async throws -> APIAnswer { try await send(.GET, path, form: nil) }

    func post(_ path: String, _ form: [String: String]) async throws -> APIAnswer {
        try await send(.POST, path, form: form)
    }

    @discardableResult
    func login(_ token: String, next: String? = nil) async throws -> APIAnswer {
        var form = ["token": token]
        if let next { form["next"] = next }
        return try await post("/login", form)
    }

    /// The form token a page carries.
    func csrf(of page: String) throws -> String {
        let marker = #"name="csrf" value=""#
        let start = try #require(page.range(of: marker)).upperBound
        return String(page[start...].prefix { $0 != "\"" })
    }

    private func send(_ method: HTTPMethod, _ path: String, form: [String: String]?) async throws -> APIAnswer {
        var request = HTTPClientRequest(url: base + path)
        request.method = method
        if let cookie = cookie.current { request.headers.add(name: "Cookie", value: cookie) }
        if let form {
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let body = form.map {
                "\($0.key.addingPercentEncoding(withAllowedCharacters: allowed)!)=\($0.value.addingPercentEncoding(withAllowedCharacters: allowed)!)"
            }.joined(separator: "&")
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 16 << 20)
        if let set = response.headers["Set-Cookie"].first {
            let pair = String(set.prefix { $0 != ";" })
            cookie.withValue { $0 = pair.hasSuffix("=") ? nil : pair }
        }
        return APIAnswer(
            status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
            text: String(buffer: bytes))
    }
}

/// Signs headless Chromium in the honest way: a page on another loopback port (the same site, so the
/// SameSite=Strict cookie is sent on) holds the sign-in form with the token and submits it, and the
/// dashboard redirects to the page asked for. Chromium has no cookie flag, and the dashboard no test door.
struct ChromiumSignIn: Sendable {
    let pageServer: LoopbackHTTPServer
    let folder: TemporaryFolder

    init(server: String, token: String) async throws {
        folder = try TemporaryFolder()
        pageServer = try await LoopbackHTTPServer(
            .respond { head in
                // GET /?next=/flags HTTP/1.1
                let target = head.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
                let next = URLComponents(string: target)?.queryItems?.first { $0.name == "next" }?.value ?? "/"
                func attribute(_ text: String) -> String {
                    text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
                        .replacingOccurrences(of: "<", with: "&lt;")
                }
                let page = """
                    <!DOCTYPE html><html lang="en"><head><title>signing in</title></head><body>
                    <form method="post" action="\(server)/login">
                    <input type="hidden" name="token" value="\(attribute(token))">
                    <input type="hidden" name="next" value="\(attribute(next))">
                    </form>
                    <script>document.forms[0].submit();</script>
                    </body></html>
                    """
                return .init(headers: [("Content-Type", "text/html; charset=utf-8")], body: page)
            })
    }

    func stop() async {
        await pageServer.shutdown()
        folder.remove()
    }

    static func flags(profile: String) -> [String] {
        [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--hide-scrollbars", "--user-data-dir=\(profile)", "--enable-logging=stderr", "--v=0",
            "--virtual-time-budget=6000",
        ]
    }

    struct Run {
        var output: String
        /// Console messages: uncaught exceptions, console.error, refused (CSP) content.
        var consoleErrors: [String]
    }

    func browse(
        _ chromium: String, _ path: String, dumpDOM: Bool = false, screenshot: String? = nil,
        size: (Int, Int) = (1280, 900)
    ) async throws -> Run {
        let profile = folder.appending(UUID().uuidString).path
        var arguments = Self.flags(profile: profile) + ["--window-size=\(size.0),\(size.1)"]
        if dumpDOM { arguments.append("--dump-dom") }
        if let screenshot { arguments.append("--screenshot=\(screenshot)") }
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        arguments.append(pageServer.url + "?next=" + path.addingPercentEncoding(withAllowedCharacters: allowed)!)
        let output = try await ChildProcess.run(chromium, arguments, timeout: 90)
        // The pages log nothing, so every console line is a fault: an uncaught exception, a console.error,
        // content the Content-Security-Policy refused, a resource that failed.
        let errors = output.split(separator: "\n").map(String.init).filter { line in
            line.contains(":CONSOLE") || line.contains("Content Security Policy")
        }
        return Run(output: output, consoleErrors: errors)
    }
}
