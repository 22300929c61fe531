import Foundation
import GreenlightCanary
import GreenlightJSON
import GreenlightTestSupport
import NIOHTTP1
import Testing

@testable import GreenlightLedger

/// The server as the routers' admin client: their status, and the weight set on all of them by an
/// operator, in the release's trace.
@Suite("The team server and the canary routers")
struct ServerRouterTests {
    @Test("an operator sets the weight on a real router through the server; product may not; a dead router is a 502")
    func weight() async throws {
        var config = RouterConfiguration(
            baseline: RouterUpstream(url: "http://127.0.0.1:\(Loopback.freePort())")!,
            canary: RouterUpstream(url: "http://127.0.0.1:\(Loopback.freePort())")!)
        config.threads = 1
        config.adminPort = 0
        let router = try await CanaryRouter.start(config)
        defer { Task { await router.stop() } }
        let admin = "http://127.0.0.1:\(router.adminPort!)"
        let setup = try await ServerSetup.start(routers: [admin])
        defer { Task { await setup.stop() } }

        let listed = try await setup.call(.GET, "/api/v1/routers", token: setup.tokens["pat"])
        #expect(listed.status == 200, "\(listed.text)")
        guard case .array(let routers)? = listed.json?["routers"], let first = routers.first else {
            Issue.record("no routers: \(listed.text)")
            return
        }
        #expect(first["admin"] == .string(admin))
        #expect(first["reachable"] == .bool(true))

        let body: JSONValue = .object([
            ("release", .string("checkout@2.14.0")), ("weight", .double(5)), ("reason", .string("first step by hand")),
        ])
        let refused = try await setup.call(.POST, "/api/v1/routers/weight", token: setup.tokens["pat"], json: body)
        #expect(refused.status == 403)
        #expect(router.weight == 0)

        let set = try await setup.call(.POST, "/api/v1/routers/weight", token: setup.tokens["sam"], json: body)
        #expect(set.status == 200, "\(set.text)")
        #expect(router.weight == 5)
        let stop: JSONValue = .object([("release", .string("checkout@2.14.0")), ("weight", .int(0))])
        #expect(
            try await setup.call(.POST, "/api/v1/routers/weight", token: setup.tokens["sam"], json: stop).status == 200)
        #expect(router.weight == 0)
        let events = try await RolloutEventLog(store: setup.ledger.store, release: "checkout@2.14.0").events()
        #expect(events.map(\.action) == [.weight, .drain])
        #expect(events.first?.by == "sam")
        #expect(events.first?.reason == "first step by hand")

        let bad: JSONValue = .object([("release", .string("checkout@2.14.0")), ("weight", .double(100.5))])
        #expect(
            try await setup.call(.POST, "/api/v1/routers/weight", token: setup.tokens["sam"], json: bad).status == 400)
    }

    @Test("a router that does not answer: listed unreachable, and setting the weight is a 502 naming it")
    func deadRouter() async throws {
        let dead = "http://127.0.0.1:\(Loopback.freePort())"
        let setup = try await ServerSetup.start(routers: [dead])
        defer { Task { await setup.stop() } }
        let listed = try await setup.call(.GET, "/api/v1/routers", token: setup.tokens["sam"])
        guard case .array(let routers)? = listed.json?["routers"] else {
            Issue.record("no routers: \(listed.text)")
            return
        }
        #expect(routers.first?["reachable"] == .bool(false))
        let body: JSONValue = .object([("release", .string("checkout@2.14.0")), ("weight", .int(0))])
        let answer = try await setup.call(.POST, "/api/v1/routers/weight", token: setup.tokens["sam"], json: body)
        #expect(answer.status == 502)
        #expect(answer.detail.contains(dead))
        // Nothing recorded for a weight no router took.
        #expect(try await RolloutEventLog(store: setup.ledger.store, release: "checkout@2.14.0").events().isEmpty)
    }
}
