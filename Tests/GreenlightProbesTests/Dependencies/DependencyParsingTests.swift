import Foundation
import GreenlightCore
import Testing

@testable import GreenlightProbes

/// The small parsers behind the probes: addresses, postgres URLs, rate-limit fields, shown URLs.
@Suite("Dependency parsing")
struct DependencyParsingTests {
    @Test(
        "host:port forms",
        arguments: [
            ("cache.internal:6379", nil, "cache.internal", 6379),
            ("10.0.0.5:5432", nil, "10.0.0.5", 5432),
            ("[::1]:6379", nil, "::1", 6379),
            ("cache.internal", 6379, "cache.internal", 6379),
            ("::1", 6379, "::1", 6379),
        ] as [(String, Int?, String, Int)])
    func hostPort(text: String, defaultPort: Int?, host: String, port: Int) throws {
        let parsed = try #require(HostPort(text, defaultPort: defaultPort))
        #expect(parsed.host == host)
        #expect(parsed.port == port)
    }

    @Test("bad host:port", arguments: ["cache.internal", ":6379", "db:0", "db:70000", "db:port", "[::1"])
    func badHostPort(text: String) {
        #expect(HostPort(text) == nil)
    }

    @Test(
        "names under .invalid",
        arguments: [("db.invalid", true), ("DB.INVALID.", true), ("invalid", true), ("invalid.example", false)])
    func invalidNames(host: String, expected: Bool) {
        #expect(HostPort.isUnderInvalid(host) == expected)
    }

    @Test("postgres URLs")
    func postgresURLs() throws {
        let url = try PostgresURL("postgres://app:p%40ss%2Fword@db.internal:6543/orders?sslmode=require")
        #expect(url.user == "app")
        #expect(url.password == "p@ss/word")
        #expect(url.host == "db.internal")
        #expect(url.port == 6543)
        #expect(url.database == "orders")
        #expect(url.sslMode == "require")
        #expect(url.display == "postgres://app@db.internal:6543/orders?sslmode=require")

        let defaults = try PostgresURL("postgresql://reader@[::1]")
        #expect(defaults.host == "::1")
        #expect(defaults.port == 5432)
        #expect(defaults.database == "reader")
        #expect(defaults.sslMode == "prefer")
        #expect(defaults.password == nil)

        let socket = try PostgresURL("postgres://app:secret@/orders?host=/var/run/postgresql")
        #expect(socket.socketPath == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(!socket.display.contains("secret"))
    }

    @Test(
        "bad postgres URLs",
        arguments: [
            ("mysql://app@db/orders", "must start with postgres://"),
            ("postgres://db.internal/orders", "names no user"),
            ("postgres://app@db:99999/orders", "bad host or port"),
            ("postgres://app@a,b/orders", "several hosts"),
            ("postgres://app@db/orders?sslmode=sometimes", "unknown sslmode"),
        ])
    func badPostgresURLs(text: String, reason: String) {
        #expect {
            try PostgresURL(text)
        } throws: { error in
            (error as? PostgresURL.ParseError)?.reason.contains(reason) == true
        }
    }

    @Test(
        "URLs are shown without their password",
        arguments: [
            ("postgres://app:hunter22@db:5432/orders", "postgres://app@db:5432/orders"),
            ("https://user:pa55word@api.example.com/v1?x=1", "https://user@api.example.com/v1?x=1"),
            ("https://api.example.com/v1", "https://api.example.com/v1"),
            ("http://host:8080/users/@me", "http://host:8080/users/@me"),
        ])
    func displayURL(url: String, shown: String) {
        #expect(DisplayURL.withoutPassword(url) == shown)
    }

    @Test(
        "rate-limit fields",
        arguments: [
            ([("RateLimit-Remaining", "42"), ("RateLimit-Limit", "100")], RateLimit(remaining: 42, limit: 100)),
            ([("x-ratelimit-remaining", "7"), ("X-RateLimit-Limit", "5000")], RateLimit(remaining: 7, limit: 5000)),
            ([("RateLimit", "limit=100, remaining=5, reset=30")], RateLimit(remaining: 5, limit: 100)),
            (
                [("RateLimit", "\"default\";r=12;t=30"), ("RateLimit-Policy", "\"default\";q=600;w=60")],
                RateLimit(remaining: 12, limit: 600)
            ),
            ([("RateLimit-Remaining", "3, 10;w=1")], RateLimit(remaining: 3, limit: nil)),
            ([("Content-Type", "text/plain")], nil),
        ] as [([(String, String)], RateLimit?)])
    func rateLimit(headers: [(String, String)], expected: RateLimit?) {
        #expect(RateLimit(headers: headers.map { (name: $0.0, value: $0.1) }) == expected)
    }

    @Test("a low rate limit is named")
    func lowRateLimit() {
        #expect(RateLimit(remaining: 3, limit: 100).lowReason(minimum: 10)?.contains("below the minimum of 10") == true)
        #expect(RateLimit(remaining: 30, limit: 100).lowReason(minimum: 10) == nil)
        #expect(RateLimit(remaining: 9, limit: 100).lowReason(minimum: nil)?.contains("below 10 %") == true)
        #expect(RateLimit(remaining: 10, limit: 100).lowReason(minimum: nil) == nil)
        #expect(RateLimit(remaining: 0, limit: nil).lowReason(minimum: nil) == nil)
    }

    @Test(
        "resolver failures are named",
        arguments: [
            (EAI_NONAME, "does not exist (NXDOMAIN)"),
            (EAI_AGAIN, "the name server did not answer"),
            (EAI_FAIL, "SERVFAIL"),
            (Resolver.noDataCode, "no A or AAAA records"),
        ])
    func resolverReasons(code: Int32, reason: String) {
        #expect(Resolver.reason(forCode: code).contains(reason))
    }

    @Test(
        "certificate names match hosts",
        arguments: [
            ("*.example.com", "api.example.com", true),
            ("*.example.com", "example.com", false),
            ("*.example.com", "a.b.example.com", false),
            ("api.example.com", "api.example.com", true),
            ("api.example.com", "web.example.com", false),
        ])
    func wildcard(pattern: String, host: String, matches: Bool) {
        #expect(CertificateFacts.name(pattern, matches: host) == matches)
    }
}
