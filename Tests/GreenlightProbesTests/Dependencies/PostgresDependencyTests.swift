import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightProbes

/// The postgres kind against a throwaway PostgreSQL server the suite starts (initdb in a
/// temporary folder, password authentication, a free port on 127.0.0.1).
@Suite("PostgreSQL dependencies", .postgresServer)
struct PostgresDependencyTests {
    typealias Fixtures = DependencyFixtures

    var server: Fixtures.PostgresServer {
        get throws { try #require(Fixtures.PostgresServer.current, "the suite's PostgreSQL server did not start") }
    }

    func prober(_ server: Fixtures.PostgresServer) -> DependencyProber {
        DependencyProber()
    }

    @Test("signs in, answers SELECT 1 and shows the server version")
    func passes() async throws {
        let server = try server
        let result = await prober(server).result(
            of: .make("orders-db", .postgres) {
                $0.url = server.url
                $0.query = "SELECT datname FROM pg_database"
            })
        #expect(result.status == .pass, "\(result.summary)")
        #expect(result.summary.hasPrefix("PostgreSQL 1"), "\(result.summary)")
        #expect(result.summary.contains("answered SELECT 1"))
        #expect(result.details.contains { $0.hasPrefix("server_version: 1") })
        #expect(result.details.contains { $0.hasPrefix("query: SELECT datname FROM pg_database → ") })
        #expect(result.details.contains("connecting to postgres://greenlight@127.0.0.1:\(server.port)/postgres"))
        #expect(result.measurement("latency_ms") != nil)
        #expect(!result.shownText.contains(server.password))
        #expect(!result.shownText.contains("***"), "the password is left out, not masked")
    }

    @Test("a wrong password says authentication failed")
    func wrongPassword() async throws {
        let server = try server
        let result = await prober(server).result(
            of: .make("orders-db", .postgres) { $0.url = server.url(password: "not-the-password") })
        #expect(result.status == .fail)
        #expect(result.summary.hasPrefix("authentication failed for user greenlight"), "\(result.summary)")
        #expect(!result.shownText.contains("not-the-password"))
    }

    @Test("an unknown user says authentication failed")
    func unknownUser() async throws {
        let server = try server
        let result = await prober(server).result(
            of: .make("orders-db", .postgres) { $0.url = server.url(user: "nobody") })
        #expect(result.status == .fail)
        #expect(result.summary.hasPrefix("authentication failed for user nobody"), "\(result.summary)")
    }

    @Test("an unknown database says it does not exist")
    func unknownDatabase() async throws {
        let server = try server
        let result = await prober(server).result(
            of: .make("orders-db", .postgres) { $0.url = server.url(database: "orders") })
        #expect(result.status == .fail)
        #expect(result.summary == "database orders does not exist (SQLSTATE 3D000)")
    }

    @Test("a failing query fails with the server's message")
    func failingQuery() async throws {
        let server = try server
        let result = await prober(server).result(
            of: .make("orders-db", .postgres) {
                $0.url = server.url
                $0.query = "SELECT * FROM no_such_table"
            })
        #expect(result.status == .fail)
        #expect(
            result.summary == "the query failed: relation \"no_such_table\" does not exist (SQLSTATE 42P01)",
            "\(result.summary)")
    }

    @Test("sslmode=require against a server without TLS says so")
    func requiresTLS() async throws {
        let server = try server
        let result = await prober(server).result(
            of: .make("orders-db", .postgres) { $0.url = server.url + "?sslmode=require" })
        #expect(result.status == .fail)
        #expect(result.summary == "127.0.0.1:\(server.port) does not support TLS, which sslmode=require requires")
    }

    @Test("a closed port says connection refused")
    func refused() async {
        let port = Loopback.closedPort()
        let result = await DependencyProber().result(
            of: .make("orders-db", .postgres) { $0.url = "postgres://app:pw@127.0.0.1:\(port)/app" })
        #expect(result.status == .fail)
        #expect(result.summary == "connection refused by 127.0.0.1:\(port)")
    }

    @Test("a server that accepts but never answers times out within the budget ±20 %")
    func timesOut() async {
        let silent = SilentListener()
        defer { silent.close() }
        let (result, elapsed) = await Fixtures.measured {
            await DependencyProber().result(
                of: .make("orders-db", .postgres, timeout: 1.5) {
                    $0.url = "postgres://app:pw@127.0.0.1:\(silent.port)/app"
                })
        }
        #expect(result.status == .fail)
        #expect(
            result.summary == "timed out after 1.5s while connecting to 127.0.0.1:\(silent.port) and signing in as app")
        #expect((1.2...1.8).contains(result.durationSeconds), "\(result.durationSeconds) s")
        #expect((1.2...1.8).contains(elapsed), "took \(elapsed) s")
    }
}
