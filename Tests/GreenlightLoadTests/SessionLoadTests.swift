import Foundation
import GreenlightCore
import GreenlightDemo
import GreenlightTestSupport
import Testing

@testable import GreenlightLoad

/// Load made of sessions (smoke scenarios) and data feeders, against a real DemoShop on loopback.
@Suite("Sessions under load against DemoShop", .serialized)
struct SessionLoadTests {
    static var policy: RiskPolicy {
        var p = RiskPolicy.standard
        p.minimumLoadDuration = SpecDuration("1s")!
        return p
    }

    static func spec(port: Int, load: String, directory: TemporaryFolder) throws -> ReleaseSpec {
        let text = """
            \(SpecFixtures.header(name: "demoshop", owner: "shop"))
            environments:
              staging: { url: "http://127.0.0.1:\(port)" }
            traffic: { expected_peak_rps: 10 }
            smoke:
              variables: { user: nobody@example.com, password: none }
              scenarios:
                - name: sign in and buy
                  steps:
                    - name: sign in
                      request:
                        method: POST
                        path: /api/login
                        json: { user: "{{user}}", password: "{{password}}" }
                      expect: { status: 200 }
                      capture: { token: { jsonpath: "$.token" } }
                    - name: who am I
                      request: { path: /api/me }
                      expect: { status: 200, jsonpath: { "$.user": { equals: "{{user}}" } } }
                    - name: buy
                      request:
                        method: POST
                        path: /api/orders
                        headers: { Authorization: "Bearer {{token}}" }
                        json: { sku: SKU-3, quantity: 1, card: "4242424242424242" }
                      expect: { status: 201 }
            \(load)
            """
        return try SpecFixtures.load(text, policy: policy, file: "load.yaml", directory: directory.path)
    }

    func folder() throws -> TemporaryFolder {
        let dir = try TemporaryFolder("gl-load")
        try dir.write("user,password\ndemo@example.com,demo-password\n", to: "users.csv")
        return dir
    }

    @Test("a multi-step session signs in, carries the token and the cookie, and buys, 30 times a second")
    func signInAndBuy() async throws {
        let shop = try await DemoShop.start(DemoShopConfiguration())
        let dir = try folder()
        defer { dir.remove() }
        let spec = try Self.spec(
            port: shop.port,
            load: """
                load:
                  multiplier: 3
                  duration: 2s
                  connections: 16
                  mix: [{ weight: 1, scenario: sign in and buy }]
                  data: { csv: users.csv, mode: cyclic, per: user }
                  thresholds: ["error_rate < 1%"]
                """, directory: dir)
        let plan = try LoadPlanner.plan(spec: spec, environment: "staging", options: .init(threads: 2))
        let result = try await LoadEngine(plan: plan).run(thresholds: spec.load!.thresholds)
        await shop.stop()
        let s = result.summary
        #expect(s.iterations == 60, "iterations \(s.iterations)")
        #expect(s.requests == 180, "three requests per session: \(s.requests)")
        #expect(s.errors == 0, "\(result.counters.errors) \(result.notes)")
        #expect(s.dropped == 0)
        #expect(result.thresholds.allSatisfy { $0.passed })
    }

    @Test("a failed assertion in a session counts as an assertion error, with the step named")
    func failedAssertion() async throws {
        let shop = try await DemoShop.start(DemoShopConfiguration())
        let dir = try folder()
        defer { dir.remove() }
        try Data("user,password\ndemo@example.com,wrong\n".utf8).write(to: dir.appending("users.csv"))
        let spec = try Self.spec(
            port: shop.port,
            load: """
                load:
                  multiplier: 3
                  duration: 1s
                  mix: [{ weight: 1, scenario: sign in and buy }]
                  data: { csv: users.csv }
                """, directory: dir)
        let plan = try LoadPlanner.plan(spec: spec, environment: "staging", options: .init(threads: 1))
        let result = try await LoadEngine(plan: plan).run()
        await shop.stop()
        #expect(result.counters.errors["assertion"] == 30, "\(result.counters.errors)")
        #expect(result.counters.responses == 30, "the session stops at the failing step")
        #expect(result.notes.contains { $0.contains("sign in and buy › sign in: status") }, "\(result.notes)")
    }

    @Test("CSV data fills request placeholders; unique data runs out and the rest count as dropped")
    func csvFeeder() async throws {
        let shop = try await DemoShop.start(DemoShopConfiguration())
        let dir = try folder()
        defer { dir.remove() }
        try Data("sku\nSKU-1\nSKU-2\nSKU-3\nNOPE\n\"SKU-4\"\n".utf8).write(to: dir.appending("skus.csv"))
        let spec = try Self.spec(
            port: shop.port,
            load: """
                load:
                  multiplier: 1
                  duration: 1s
                  mix: [{ weight: 1, request: { path: "/api/products/{{sku}}" } }]
                  data: { csv: skus.csv, mode: unique }
                """.replacingOccurrences(of: "multiplier: 1", with: "multiplier: 3"), directory: dir)
        // 3x of 10 = 30 arrivals in 1 s, 5 rows: 5 requests, one of them a 404; 25 dropped.
        let plan = try LoadPlanner.plan(spec: spec, environment: "staging", options: .init(threads: 1))
        let result = try await LoadEngine(plan: plan).run()
        await shop.stop()
        #expect(result.counters.responses == 5)
        #expect(result.counters.errors["4xx"] == 1, "the unknown SKU: \(result.counters.errors)")
        #expect(result.counters.dropped == 25)
        #expect(result.notes.contains { $0.contains("data ran out") })
    }

    @Test("a spec mix that names an unknown scenario is refused before any load")
    func unknownScenario() throws {
        let dir = try folder()
        defer { dir.remove() }
        // The loader already refuses it with file:line:col; the planner refuses it too when called directly.
        #expect(throws: SpecError.self) {
            _ = try Self.spec(
                port: 1,
                load: """
                    load:
                      duration: 1s
                      mix: [{ weight: 1, scenario: check out }]
                    """, directory: dir)
        }
    }
}
