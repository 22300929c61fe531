import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCanary

/// HTTPS upstreams: the router speaks TLS to them, checking their certificate.
@Suite("The canary router in front of HTTPS upstreams", .serialized)
struct RouterTLSTests {
    static func withTLSRouter(
        trust: Bool, _ body: (CanaryRouter) async throws -> Void
    ) async throws {
        let certificate = try await TestCertificate.make(
            notBefore: Date().addingTimeInterval(-86_400), notAfter: Date().addingTimeInterval(30 * 86_400))
        defer { certificate.remove() }
        let server = try await LoopbackHTTPServer(.ok, certificate: certificate)
        var config = RouterConfiguration(
            baseline: try #require(RouterUpstream(url: server.url)),
            canary: try #require(RouterUpstream(url: "https://localhost:\(server.port)")))
        config.weight = 50
        config.threads = 1
        if trust { config.upstreamTrust = .customCA(path: certificate.certificatePath) }
        let router = try await CanaryRouter.start(config)
        do {
            try await body(router)
        } catch {
            await router.stop()
            await server.shutdown()
            throw error
        }
        await router.stop()
        await server.shutdown()
    }

    @Test("https upstreams, trusted through a CA file: both arms answer, by IP address and by host name")
    func trusted() async throws {
        #expect(RouterUpstream(url: "https://shop.internal")?.port == 443)
        #expect(RouterUpstream(url: "https://shop.internal")?.description == "https://shop.internal:443")
        #expect(RouterUpstream(url: "http://127.0.0.1:99999999999999999999") == nil)
        try await Self.withTLSRouter(trust: true) { router in
            let client = try RawClient(port: router.port)
            var arms: Set<String> = []
            for user in 0..<40 {
                let response = try client.get("/", headers: ["X-Forwarded-User": "u\(user)"])
                #expect(response.status == 200)
                arms.insert(response.headers["x-greenlight-arm"] ?? "")
            }
            // Stickiness by client IP puts this one client on one arm; both arms work on their own below.
            #expect(arms.count == 1)
            try router.setWeight(0)
            #expect(try client.get("/").headers["x-greenlight-arm"] == "baseline")
            try router.setWeight(100)
            let canary = try client.get("/")
            #expect(canary.status == 200)
            #expect(canary.headers["x-greenlight-arm"] == "canary")
        }
    }

    @Test("an https upstream whose certificate is not trusted gets no request: 502")
    func untrusted() async throws {
        try await Self.withTLSRouter(trust: false) { router in
            let client = try RawClient(port: router.port)
            let response = try client.get("/", headers: ["Content-Length": "0"], method: "POST")
            #expect(response.status == 502)
        }
    }
}
