import Foundation
import GreenlightJSON
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GreenlightDemo

struct SystemEndpointTests {
    @Test(arguments: ["v1", "v2"])
    func healthReportsVersion(version: String) async throws {
        try await makeShop { $0.version = version }.test(.router) { client in
            let response = try await client.execute(uri: "/healthz", method: .get)
            #expect(response.status == .ok)
            #expect(jsonObject(response.body) as NSDictionary == ["status": "ok", "version": version] as NSDictionary)
            #expect(response.headers[.demoVersion] == version)
            #expect(response.headers[.rateLimitLimit] == nil)
        }
    }

    @Test func infoDescribesTheEnvironment() async throws {
        try await makeShop().test(.router) { client in
            let response = try await client.execute(uri: "/internal/info", method: .get)
            #expect(response.status == .ok)
            let info = jsonObject(response.body)
            #expect(info["service"] as? String == "demoshop")
            #expect(info["version"] as? String == "v1")
            #expect(info["runtime"] as? NSDictionary == ["swift": "6"])
            #expect(info["config"] as? NSDictionary == ["max_connections": 200, "request_timeout_ms": 2000])
            #expect(info["feature_flags"] as? NSDictionary == ["checkout-v2": false])
            let os = try #require(info["os"] as? [String: String])
            #expect(Set(os.keys) == ["name", "version_id"])
            #expect(info["hostname"] is String)
        }
    }

    @Test func descriptorOverridesApplyWithTypes() async throws {
        try await makeShop {
            $0.version = "v2"
            $0.descriptor = [
                "config.max_connections": "500",
                "config.tls": "true",
                "region": "eu-west-1",
                "os.name": "Plan 9",
                "runtime": "custom",
                "feature_flags.dark-mode": "false",
                "bad..key": "ignored",
            ]
        }.test(.router) { client in
            let info = jsonObject(try await client.execute(uri: "/internal/info", method: .get).body)
            #expect(
                info["config"] as? NSDictionary == ["max_connections": 500, "request_timeout_ms": 2000, "tls": true])
            #expect(info["region"] as? String == "eu-west-1")
            #expect((info["os"] as? [String: Any])?["name"] as? String == "Plan 9")
            #expect(info["runtime"] as? String == "custom")
            #expect(info["feature_flags"] as? NSDictionary == ["checkout-v2": true, "dark-mode": false])
            #expect(info["bad"] == nil)
        }
    }

    @Test func osReleaseParsing() {
        let fields = HostEnvironment.parseOSRelease(
            """
            # comment
            PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
            NAME="Debian GNU/Linux"
            VERSION_ID='12'
            ID=debian
            """
        )
        #expect(fields["NAME"] == "Debian GNU/Linux")
        #expect(fields["VERSION_ID"] == "12")
        #expect(fields["ID"] == "debian")
    }

    @Test func apiResponsesCarryRateLimitHeaders() async throws {
        try await makeShop().test(.router) { client in
            var remaining: [Int] = []
            for uri in ["/api/products", "/api/me", "/api/unknown"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.headers[.rateLimitLimit] == "1000", "\(uri)")
                remaining.append(Int(response.headers[.rateLimitRemaining] ?? "") ?? -1)
            }
            #expect(remaining == [999, 998, 997])
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.headers[.rateLimitRemaining] == nil)
        }
    }

    @Test func unknownRoutesAnswerJSONNotFound() async throws {
        try await makeShop().test(.router) { client in
            for (uri, method) in [("/nope", HTTPRequest.Method.get), ("/api/products", .delete), ("/healthz", .post)] {
                let response = try await client.execute(uri: uri, method: method)
                #expect(response.status == .notFound, "\(method) \(uri)")
                #expect(errorCode(response) == "not_found")
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
                #expect(response.headers[.traceparent] != nil)
            }
        }
    }

    @Test func rateLimitWindowResetsEveryMinute() {
        let start = ContinuousClock.now
        let limiter = RateLimiter(limit: 3, window: .seconds(60), now: start)
        #expect(limiter.consume(now: start).remaining == 2)
        #expect(limiter.consume(now: start + .seconds(1)).remaining == 1)
        #expect(limiter.consume(now: start + .seconds(2)).remaining == 0)
        #expect(limiter.consume(now: start + .seconds(3)).remaining == 0)
        let reset = limiter.consume(now: start + .seconds(60))
        #expect(reset.remaining == 2)
        #expect(reset.resetSeconds == 60)
        #expect(limiter.consume(now: start + .seconds(90)).resetSeconds == 30)
    }

    @Test func jsonValueSerializesSortedAndEscaped() {
        var value = JSONValue.object([("b", .int(1)), ("a", .array([.bool(true), .null, .double(0.5)]))])
        value.set(.string("x\u{1}\"y"), atDottedPath: "c.d")
        #expect(value.jsonText == #"{"a":[true,null,0.5],"b":1,"c":{"d":"x\u0001\"y"}}"#)
    }
}
