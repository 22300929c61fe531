import Foundation
import GreenlightCore
import GreenlightTestSupport
import NIOCore
import Testing

@testable import GreenlightProbes

/// The http kind against HTTP servers the tests start on loopback.
@Suite("HTTP dependencies")
struct HTTPDependencyTests {
    typealias Fixtures = DependencyFixtures

    func check(
        _ response: LoopbackHTTPServer.Response = .init(), prober: DependencyProber = DependencyProber(),
        _ configure: @escaping (inout DependencySpec, Int) -> Void = { _, _ in }
    ) async throws -> (CheckResult, [String]) {
        let server = try await LoopbackHTTPServer(.answer(response))
        let result = await prober.result(
            of: .make("api", .http) {
                $0.url = "http://127.0.0.1:\(server.port)/health"
                configure(&$0, server.port)
            })
        await server.shutdown()
        return (result, server.requests.current)
    }

    @Test("a 200 passes, with the latency, and the spec's headers are sent")
    func passes() async throws {
        let token = "Bearer tok-9f8e7d6c5b4a"
        let (result, requests) = try await check(prober: DependencyProber()) {
            spec, _ in spec.headers = [(key: "Authorization", value: token)]
        }
        #expect(result.status == .pass, "\(result.summary)")
        #expect(result.summary.hasPrefix("answered 200 in"))
        #expect(result.measurement("latency_ms") != nil)
        #expect(requests.first?.hasPrefix("GET /health HTTP/1.1") == true)
        #expect(requests.first?.contains("Authorization: \(token)") == true)
        #expect(!result.shownText.contains("tok-9f8e7d6c5b4a"))
    }

    @Test("a header value with a control character is not sent; the failure names the header, never the value")
    func controlCharacterInHeader() async throws {
        let (result, requests) = try await check { spec, _ in
            spec.headers = [(key: "Authorization", value: "Bearer Kp9Zx7Qw2Lm\r")]
        }
        #expect(result.status == .fail)
        #expect(
            result.summary
                == "request not sent: the value of header 'Authorization' holds a line break or another control character",
            "\(result.summary)")
        #expect(!result.shownText.contains("Kp9Zx7Qw2Lm"))
        #expect(requests.isEmpty)
    }

    @Test("a body cut for a message shows no start of a secret the probe sent")
    func cutBodyMasksFirst() async throws {
        let token = "Kp9Zx7Qw2Lm7"
        for left in 1...3 {
            let body = String(repeating: "a", count: 200 - left) + token
            let (result, _) = try await check(.init(status: 500, reason: "Internal Server Error", body: body)) {
                spec, _ in spec.headers = [(key: "Authorization", value: "Bearer \(token)")]
            }
            #expect(!result.shownText.contains("a" + token.prefix(left)), "\(left): \(result.details)")
        }
    }

    @Test("another status than the expected one fails")
    func unexpectedStatus() async throws {
        let (result, _) = try await check(
            .init(status: 503, reason: "Service Unavailable", body: "down for maintenance")
        ) {
            spec, _ in spec.status = 200
        }
        #expect(result.status == .fail)
        #expect(result.summary == "answered 503; expected 200")
        #expect(result.details.contains("body: down for maintenance"))
    }

    @Test("an expected non-2xx status passes")
    func expectedStatus() async throws {
        let (result, _) = try await check(.init(status: 404, reason: "Not Found")) { spec, _ in spec.status = 404 }
        #expect(result.status == .pass)
    }

    @Test("401 and 403 say authentication failed", arguments: [401, 403])
    func authenticationFailed(status: Int) async throws {
        let (result, _) = try await check(.init(status: status, reason: "Denied"))
        #expect(result.status == .fail)
        #expect(result.summary.hasPrefix("authentication failed (\(status))"))
    }

    @Test("a redirect names where it points")
    func redirect() async throws {
        let (result, _) = try await check(
            .init(status: 301, reason: "Moved Permanently", headers: [("Location", "https://api.example.com/health")]))
        #expect(result.status == .fail)
        #expect(result.summary == "answered 301, a redirect to https://api.example.com/health; expected 2xx")
    }

    @Test("few requests left below the minimum warns")
    func rateLimitBelowMinimum() async throws {
        let (result, _) = try await check(.init(headers: [("RateLimit-Remaining", "3"), ("RateLimit-Limit", "1000")])) {
            spec, _ in spec.rateLimitMinRemaining = 10
        }
        #expect(result.status == .warn)
        #expect(result.summary == "rate limit low: 3 requests remaining, below the minimum of 10")
        #expect(result.measurement("rate_limit_remaining") == 3)
    }

    @Test("without a minimum, less than 10 % of the limit left warns")
    func rateLimitBelowTenPercent() async throws {
        let (low, _) = try await check(.init(headers: [("X-RateLimit-Remaining", "4"), ("X-RateLimit-Limit", "100")]))
        #expect(low.status == .warn)
        #expect(low.summary.contains("4 of 100 requests remaining (below 10 %)"))
        let (plenty, _) = try await check(
            .init(headers: [("X-RateLimit-Remaining", "50"), ("X-RateLimit-Limit", "100")]))
        #expect(plenty.status == .pass)
        #expect(plenty.details.contains("rate limit: 50 of 100 requests remaining"))
    }

    @Test("an answer slower than the latency budget fails")
    func latencyBudget() async throws {
        let (result, _) = try await check(.init(delay: .milliseconds(300))) { spec, _ in
            spec.latency = DurationBudget("< 100ms")
        }
        #expect(result.status == .fail)
        #expect(result.summary.contains("over the latency budget < 100ms"), "\(result.summary)")
    }

    @Test("a closed port says connection refused")
    func refused() async {
        let port = Loopback.closedPort()
        let result = await DependencyProber().result(of: .make("api", .http) { $0.url = "http://127.0.0.1:\(port)/" })
        #expect(result.status == .fail)
        #expect(result.summary == "connection refused by 127.0.0.1:\(port)")
    }

    @Test("a server that never answers times out within the budget ±20 %")
    func timesOut() async {
        let silent = SilentListener()
        defer { silent.close() }
        let (result, elapsed) = await Fixtures.measured {
            await DependencyProber().result(
                of: .make("api", .http, timeout: 1.5) { $0.url = "http://127.0.0.1:\(silent.port)/health" })
        }
        #expect(result.status == .fail)
        #expect(
            result.summary == "timed out after 1.5s while waiting for http://127.0.0.1:\(silent.port)/health to answer")
        #expect((1.2...1.8).contains(result.durationSeconds), "\(result.durationSeconds) s")
        #expect((1.2...1.8).contains(elapsed), "took \(elapsed) s")
    }

    @Test("a password in the URL is never shown")
    func passwordHidden() async throws {
        let (result, _) = try await check(.init(status: 500, reason: "Oops")) { spec, port in
            spec.url = "http://monitor:Zx9-pass-Qw@127.0.0.1:\(port)/health"
        }
        #expect(result.status == .fail)
        #expect(!result.shownText.contains("Zx9-pass-Qw"))
        #expect(result.details.first?.hasPrefix("GET http://monitor@127.0.0.1:") == true)
    }

    @Test("https: a trusted certificate passes, and min_days_valid checks its days")
    func https() async throws {
        let certificate = try await TestCertificate.make(
            notBefore: Date().addingTimeInterval(-86_400), notAfter: Date().addingTimeInterval(20 * 86_400 + 3600))
        defer { certificate.remove() }
        let server = try await LoopbackHTTPServer(.answer(.init()), certificate: certificate)
        var prober = DependencyProber()
        prober.trustRoots = [certificate.certificatePath]
        let results = await prober.run([
            .make("fine", .http) { $0.url = "https://localhost:\(server.port)/health" },
            .make("short", .http) {
                $0.url = "https://localhost:\(server.port)/health"
                $0.minDaysValid = 30
            },
        ])
        await server.shutdown()
        #expect(results[0].status == .pass, "\(results[0].summary)")
        #expect(results[1].status == .fail)
        #expect(results[1].summary.hasPrefix("certificate expires in 20 days"), "\(results[1].summary)")
        #expect(results[1].measurement("days_valid") == 20)
    }

    @Test("https: an expired certificate says so")
    func httpsExpired() async throws {
        let certificate = try await TestCertificate.make(
            notBefore: Date(timeIntervalSince1970: 1_577_836_800), notAfter: Date(timeIntervalSince1970: 1_580_515_200))
        defer { certificate.remove() }
        let server = try await LoopbackHTTPServer(.answer(.init()), certificate: certificate)
        var prober = DependencyProber()
        prober.trustRoots = [certificate.certificatePath]
        let result = await prober.result(of: .make("api", .http) { $0.url = "https://localhost:\(server.port)/" })
        await server.shutdown()
        #expect(result.status == .fail)
        #expect(result.summary == "certificate expired on 2020-02-01", "\(result.summary)")
    }

}
