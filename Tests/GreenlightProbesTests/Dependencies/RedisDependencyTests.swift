import Foundation
import GreenlightCore
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
        let port = Fixtures.closedPort()
        let result = await DependencyProber().result(of: .make("cache", .redis) { $0.address = "127.0.0.1:\(port)" })
        #expect(result.status == .fail)
        #expect(result.summary == "connection refused by 127.0.0.1:\(port)")
    }

    @Test("a server that never answers times out")
    func timesOut() async {
        let silent = Fixtures.SilentListener()
        defer { silent.close() }
        let result = await DependencyProber().result(
            of: .make("cache", .redis, timeout: 0.5) { $0.address = "127.0.0.1:\(silent.port)" })
        #expect(result.status == .fail)
        #expect(
            result.summary == "timed out after 500ms while waiting for the answer to PING from 127.0.0.1:\(silent.port)"
        )
        #expect((0.4...0.6).contains(result.durationSeconds))
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
