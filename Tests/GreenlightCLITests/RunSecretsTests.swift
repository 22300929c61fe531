import Foundation
import GreenlightTestSupport
import Testing

/// The redaction boundary through the binary: what a run sends and is given back never reaches any
/// output, and what a server returns prints inert on a terminal.
@Suite("Secrets a run reveals, and hostile bodies", .serialized)
struct RunSecretsTests {
    static let token = "tok-" + UUID().uuidString
    static let cookie = "sid-" + UUID().uuidString
    static let password = "pw-" + UUID().uuidString
    static let apiKey = "key-" + UUID().uuidString

    /// Sign-in hands out a token and a session cookie; every other path fails with a 500 whose body
    /// echoes the request's headers back, the way a debugging endpoint would; /escape answers with
    /// terminal escape sequences.
    static func server() async throws -> LoopbackHTTPServer {
        try await LoopbackHTTPServer(
            .respond { head in
                if head.hasPrefix("POST /login ") {
                    return .init(
                        headers: [("Content-Type", "application/json"), ("Set-Cookie", "sid=\(cookie); Path=/")],
                        body: #"{"token": "\#(token)"}"#)
                }
                if head.hasPrefix("GET /escape ") {
                    return .init(
                        status: 500, reason: "Internal Server Error",
                        body: "boom \u{1B}[2J\u{1B}[31mred\u{1B}[0m \u{1B}]0;owned\u{07} end")
                }
                let echoed = head.split(separator: "\r\n").map { "\"\($0)\"" }.joined(separator: ",\n  ")
                return .init(
                    status: 500, reason: "Internal Server Error", headers: [("Content-Type", "application/json")],
                    body: "{\"you_sent\": [\n  \(echoed)\n]}")
            })
    }

    static func spec(port: Int) -> String {
        """
        version: 1
        service: { name: shop, version: 1.0.0, owner: shop-team }
        environments:
          staging: { url: "http://127.0.0.1:\(port)" }
        risk: { likelihood: 1, impact: 1 }
        signoff: { required: [engineering] }
        smoke:
          scenarios:
            - name: sign in and look
              steps:
                - name: sign in
                  request: { method: POST, path: /login, json: { user: demo, password: "${API_PASSWORD}" } }
                  expect: { status: 200 }
                  capture: { token: { jsonpath: "$.token" } }
                - name: look
                  request:
                    path: /echo
                    headers: { Authorization: "Bearer {{token}}", X-Api-Key: "${API_KEY}", X-Password: "${API_PASSWORD}" }
                  expect: { status: 200 }
            - name: hostile body
              steps:
                - request: { path: /escape }
                  expect: { status: 200 }

        """
    }

    static var env: [String: String] { ["API_PASSWORD": password, "API_KEY": apiKey] }
    static var secrets: [String] { [token, cookie, password, apiKey] }

    static func leaks(_ text: String) -> [String] { secrets.filter { text.contains($0) } }

    @Test(
        "a failing step against an endpoint that echoes its headers shows no token, cookie, password or key, in any output"
    )
    func echoedCredentialsAreMasked() async throws {
        let server = try await Self.server()
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        let file = dir.url.appendingPathComponent("release.yaml")
        try Self.spec(port: server.port).write(to: file, atomically: true, encoding: .utf8)
        let summary = dir.url.appendingPathComponent("summary.md")

        let smoke = try CLI.run(["smoke", file.path], env: Self.env)
        #expect(smoke.status == 1, "\(smoke.all)")
        // The body echoes the headers; the header values the run sent are masked there too.
        #expect(smoke.stdout.contains("\"Authorization: ***\","), "\(smoke.stdout)")
        #expect(smoke.stdout.contains("\"X-Api-Key: ***\","), "\(smoke.stdout)")
        #expect(smoke.stdout.contains("\"Cookie: ***\","), "\(smoke.stdout)")
        #expect(smoke.stdout.contains("\"X-Password: ***\","), "\(smoke.stdout)")
        #expect(Self.leaks(smoke.all).isEmpty, "smoke shows \(Self.leaks(smoke.all))")

        let check = try CLI.run(
            ["check", file.path, "--report-dir", dir.url.appendingPathComponent("out").path, "--json"],
            env: Self.env.merging(["GITHUB_STEP_SUMMARY": summary.path]) { $1 })
        #expect(check.status == 1, "\(check.all)")
        #expect(check.stdout.contains("Bearer ***"))
        #expect(Self.leaks(check.all).isEmpty, "check shows \(Self.leaks(check.all))")
        let written = try FileManager.default.contentsOfDirectory(atPath: dir.url.appendingPathComponent("out").path)
        #expect(Set(written) == ["report.json", "report.md", "junit.xml", "report.html"])
        for name in written {
            let text = try String(contentsOf: dir.url.appendingPathComponent("out/\(name)"), encoding: .utf8)
            #expect(Self.leaks(text).isEmpty, "\(name) shows \(Self.leaks(text))")
        }
        let step = try String(contentsOf: summary, encoding: .utf8)
        #expect(step.contains("sign in and look"))
        #expect(Self.leaks(step).isEmpty, "the step summary shows \(Self.leaks(step))")

        let terminal = try CLI.run(["check", file.path], env: Self.env)
        #expect(Self.leaks(terminal.all).isEmpty, "check's terminal output shows \(Self.leaks(terminal.all))")
        await server.shutdown()
    }

    @Test("greenlight smoke prints a body's escape sequences inert")
    func escapesPrintInert() async throws {
        let server = try await Self.server()
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        let file = dir.url.appendingPathComponent("release.yaml")
        try Self.spec(port: server.port).write(to: file, atomically: true, encoding: .utf8)
        let smoke = try CLI.run(["smoke", file.path], env: Self.env)
        await server.shutdown()
        #expect(smoke.status == 1)
        #expect(
            smoke.stdout.contains("boom \u{FFFD}[2J\u{FFFD}[31mred\u{FFFD}[0m \u{FFFD}]0;owned\u{FFFD} end"),
            "\(smoke.stdout)")
        #expect(!smoke.all.unicodeScalars.contains("\u{1B}"))
        #expect(!smoke.all.unicodeScalars.contains("\u{07}"))
    }

    @Test("a secret that a 2 KB body cut leaves 1, 2 or 3 characters of shows none of them", arguments: 1...3)
    func cutSecret(left: Int) async throws {
        let token = "Kp9Zx7Qw2Lm7"
        let server = try await LoopbackHTTPServer(
            .respond { _ in
                .init(
                    status: 500, reason: "Internal Server Error",
                    body: String(repeating: "a", count: 2048 - left) + token)
            })
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        let file = dir.url.appendingPathComponent("release.yaml")
        try """
        version: 1
        service: { name: shop, version: 1.0.0, owner: shop-team }
        environments:
          staging: { url: "http://127.0.0.1:\(server.port)" }
        risk: { likelihood: 1, impact: 1 }
        smoke:
          scenarios:
            - name: home
              steps:
                - request: { path: /, headers: { Authorization: "Bearer ${TOKEN}" } }
                  expect: { status: 200 }

        """.write(to: file, atomically: true, encoding: .utf8)
        let smoke = try CLI.run(["smoke", file.path], env: ["TOKEN": token])
        await server.shutdown()
        #expect(smoke.status == 1, "\(smoke.all)")
        #expect(smoke.stdout.contains(String(repeating: "a", count: 2048 - left) + "***".prefix(left)))
        #expect(!smoke.all.contains("a" + token.prefix(left)), "\(smoke.stdout.suffix(200))")
    }

    @Test(
        "a token ending in CR, sent by a dependency probe or to a descriptor endpoint, is refused by name and never shown",
        arguments: ["dependency", "descriptor"])
    func trailingCarriageReturn(sender: String) async throws {
        let token = "Kp9Zx7Qw2Lm"
        let server = try await LoopbackHTTPServer(.ok)
        let dir = try TemporaryFolder()
        defer { dir.remove() }
        let url = "http://127.0.0.1:\(server.port)/"
        let descriptor = sender == "descriptor" ? ", descriptor: { url: \"\(url)\", headers: $H }" : ""
        var text = """
            version: 1
            service: { name: shop, version: 1.0.0, owner: shop-team }
            risk: { likelihood: 1, impact: 1 }
            environments:
              staging: { url: "\(url)"\(descriptor) }
              production: { url: "\(url)"\(descriptor) }

            """
        if sender == "dependency" {
            text += "dependencies: [{ name: api, kind: http, url: \"\(url)\", headers: $H }]\n"
        } else {
            text += "parity: { compare: [staging, production] }\n"
        }
        text = text.replacingOccurrences(of: "$H", with: #"{ Authorization: "Bearer ${TOKEN}" }"#)
        let file = dir.url.appendingPathComponent("release.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let reports = dir.url.appendingPathComponent("rep")
        for command in [
            ["check", file.path, "--no-record", "--report-dir", reports.path],
            [sender == "dependency" ? "deps" : "parity", file.path],
        ] {
            let r = try CLI.run(command, env: ["TOKEN": token + "\r"])
            #expect(r.status == 2, "\(r.all)")
            #expect(r.all.contains("headers.Authorization: holds a line break"), "\(r.all)")
            #expect(!r.all.contains(token), "\(r.all)")
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: reports.path)) ?? [] {
            let report = try String(contentsOf: reports.appendingPathComponent(name), encoding: .utf8)
            #expect(!report.contains(token), "\(name)")
        }
        #expect(server.requests.current.isEmpty)
        await server.shutdown()
    }
}
