import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightProbes

/// The redis kind against a real redis-server the tests start on loopback.
@Suite("Redis dependencies")
struct RedisDependencyTests {
    typealias Fixtures = DependencyFixtures

    /// A redis-server, or a failure saying to install it: these tests never skip silently.
    func startRedis(password: String? = nil) async throws -> Fixtures.RedisServer {
        try #require(
            FileManager.default.isExecutableFile(atPath: Fixtures.RedisServer.executable),
            "\(Fixtures.RedisServer.missing)")
        return try await Fixtures.RedisServer.start(password: password)
    }

    @Test("PING answers PONG")
    func pong() async throws {
        let redis = try await startRedis()
        let result = await DependencyProber().result(
            of: .make("cache", .redis) { $0.address = "127.0.0.1:\(redis.port)" })
        await redis.stop()
        #expect(result.status == .pass, "\(result.summary)")
        #expect(result.summary.hasPrefix("PONG from 127.0.0.1:\(redis.port) in"))
    }

    @Test("a server with a password says authentication required")
    func authenticationRequired() async throws {
        let redis = try await startRedis(password: "redis-Secret-42")
        let result = await DependencyProber().result(
            of: .make("cache", .redis) { $0.address = "127.0.0.1:\(redis.port)" })
        await redis.stop()
        #expect(result.status == .fail)
        #expect(result.summary.hasPrefix("authentication required (NOAUTH)"), "\(result.summary)")
    }

    @Test("a closed port says connection refused")
    func refused() async {
        let port = Loopback.closedPort()
        let result = await DependencyProber().result(of: .make("cache", .redis) { $0.address = "127.0.0.1:\(port)" })
        #expect(result.status == .fail)
        #expect(result.summary == "connection refused by 127.0.0.1:\(port)")
    }

    @Test("a server that never answers times out")
    func timesOut() async {
        let silent = SilentListener()
        defer { silent.close() }
        let result = await DependencyProber().result(
            of: .make("cache", .redis, timeout: 1) { $0.address = "127.0.0.1:\(silent.port)" })
        #expect(result.status == .fail)
        #expect(result.summary.hasPrefix("timed out after 1s while"), "\(result.summary)")
        #expect(result.summary.hasSuffix("127.0.0.1:\(silent.port)"), "\(result.summary)")
        #expect((0.8...1.2).contains(result.durationSeconds), "\(result.durationSeconds) s")
    }

    @Test(
        "replies other than PONG are named",
        arguments: [
            ("-NOAUTH Authentication required.", "authentication required (NOAUTH)"),
            ("-WRONGPASS invalid username-password pair", "authentication failed (WRONGPASS)"),
            ("-LOADING Redis is loading the dataset in memory", "loading its data set"),
            ("-ERR unknown command", "answered PING with an error: ERR unknown command"),
            ("HTTP/1.1 400 Bad Request", "not a Redis server"),
        ])
    func replies(reply: String, reason: String) {
        #expect(Probe.redisProblem(reply).contains(reason))
    }
}
