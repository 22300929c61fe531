import Foundation
import GreenlightCore
import GreenlightDemo
import GreenlightHTTP
import GreenlightTestSupport
import Testing

@testable import GreenlightProbes

/// Smoke scenarios against a real DemoShop on loopback.
@Suite("Smoke workflows against DemoShop", .serialized)
struct SmokeRunnerTests {
    static func spec(_ smoke: String, env: [String: String] = [:], directory: String = NSTemporaryDirectory()) throws
        -> ReleaseSpec
    {
        let text = SpecFixtures.header(name: "demoshop", owner: "shop") + "\n" + smoke
        return try SpecFixtures.load(text, env: env, file: "smoke.yaml", directory: directory)
    }

    static func run(_ spec: ReleaseSpec, against shop: RunningDemoShop, secrets: SecretSink? = nil) async throws
        -> [CheckResult]
    {
        let session = try HTTPSession()
        let runner = SmokeRunner(
            smoke: spec.smoke!, baseURL: shop.baseURL, directory: spec.directory, secrets: secrets,
            certificateDays: { _, _ in .failure(HTTPFailure(description: "no TLS here")) })
        let results = await runner.run(session: session)
        await session.shutdown()
        return results
    }

    @Test("sign in, buy and upload pass as one workflow with a captured token; the declined card path passes")
    func workflow() async throws {
        let folder = try TemporaryFolder("smoke")
        defer { folder.remove() }
        try Data("hello receipt\n".utf8).write(to: folder.appending("receipt.txt"))
        let shop = try await DemoShop.start(DemoShopConfiguration())
        defer { Task { await shop.stop() } }
        let spec = try Self.spec(
            """
            smoke:
              scenarios:
                - name: sign in, buy and upload
                  steps:
                    - name: sign in
                      request: { method: POST, path: /api/login, json: { user: demo@example.com, password: "${PW}" } }
                      expect: { status: 200, jsonpath: { "$.token": { type: string } } }
                      capture: { token: { jsonpath: "$.token" }, session: { cookie: session } }
                    - name: buy
                      request:
                        method: POST
                        path: /api/orders
                        headers: { Authorization: "Bearer {{token}}" }
                        json: { sku: SKU-2, quantity: 2, card: "4242424242424242" }
                      expect: { status: 201, jsonpath: { "$.user": { equals: demo@example.com }, "$.quantity": { equals: 2 } } }
                      capture: { order: { jsonpath: "$.order_id" }, location: { header: Location } }
                    - name: confirmed eventually
                      request: { path: "{{location}}" }
                      retry: { attempts: 20, interval: 50ms }
                      expect: { status: 200, jsonpath: { "$.status": { equals: confirmed } } }
                    - name: upload
                      request:
                        method: POST
                        path: /api/uploads
                        headers: { Authorization: "Bearer {{token}}" }
                        multipart: [{ name: file, file: receipt.txt, content_type: text/plain }]
                      expect: { status: 201, jsonpath: { "$.bytes": { equals: 14 }, "$.filename": { equals: receipt.txt } } }
                - name: declined card
                  steps:
                    - request: { method: POST, path: /api/orders, json: { sku: SKU-1, quantity: 1, card: "4000000000000002" } }
                      expect: { status: 402, jsonpath: { "$.error": { equals: card_declined } } }
            """, env: ["PW": "demo-password"], directory: folder.path)
        let results = try await Self.run(spec, against: shop)
        #expect(results.map(\.id) == ["smoke.sign-in-buy-and-upload", "smoke.declined-card"])
        for result in results {
            #expect(result.status == .pass, "\(result.summary)\n\(result.details.joined(separator: "\n"))")
        }
        #expect(results[0].measurements.count == 4)
    }

    @Test(
        "a wrong expectation fails with the step, the assertion, expected and actual, and the exchange; the token it sent is handed to the sink"
    )
    func failureIsExplained() async throws {
        let shop = try await DemoShop.start(DemoShopConfiguration())
        defer { Task { await shop.stop() } }
        let secret = "demo-password"
        let spec = try Self.spec(
            """
            smoke:
              scenarios:
                - name: buy
                  steps:
                    - name: sign in
                      request: { method: POST, path: /api/login, json: { user: demo@example.com, password: "${PW}" } }
                      capture: { token: { jsonpath: "$.token" } }
                    - name: buy the empty shelf
                      request:
                        method: POST
                        path: /api/orders
                        headers: { Authorization: "Bearer {{token}}" }
                        json: { sku: SKU-5, quantity: 1, card: "4242424242424242" }
                      expect: { status: 201, jsonpath: { "$.status": { equals: placed } } }
            """, env: ["PW": secret])
        let sink = SecretSink()
        let result = try #require(try await Self.run(spec, against: shop, secrets: sink).first)
        #expect(result.status == .fail)
        #expect(result.summary == "step 'buy the empty shelf' (2 of 2): status: expected 201, got 409")
        // The token captured at sign-in (its name reads as a secret) and the header that carried it.
        let bearer = try #require(sink.all.first { $0.hasPrefix("Bearer ") }, "\(sink.all)")
        #expect(sink.all.contains(String(bearer.dropFirst("Bearer ".count))))
        let details = result.details.joined(separator: "\n")
        #expect(details.contains("step: buy the empty shelf (2 of 2)"))
        #expect(details.contains("assertion: status\n  expected: 201\n  actual:   409"))
        #expect(
            details.contains("assertion: jsonpath $.status\n  expected: a value\n  actual:   nothing"), "\(details)")
        #expect(details.contains("> POST \(shop.baseURL)/api/orders"))
        #expect(details.contains("> Authorization: Bearer ***"))
        #expect(details.contains("< 409"))
        #expect(details.contains("out_of_stock"))
        #expect(!details.contains(secret))
        #expect(!result.summary.contains(secret))
    }

    @Test("scenario names that differ only in case or punctuation still get distinct check ids")
    func distinctIDs() async throws {
        let shop = try await DemoShop.start(DemoShopConfiguration())
        defer { Task { await shop.stop() } }
        let spec = try Self.spec(
            """
            smoke:
              scenarios:
                - { name: "Health", steps: [{ request: { path: /healthz }, expect: { status: 200 } }] }
                - { name: "health!", steps: [{ request: { path: /healthz }, expect: { status: 200 } }] }
            """)
        let ids = try await Self.run(spec, against: shop).map(\.id)
        #expect(ids == ["smoke.health", "smoke.health-2"])
    }

    @Test("unreachable target: the step fails with connection refused, fast")
    func refused() async throws {
        let shop = try await DemoShop.start(DemoShopConfiguration())
        let base = shop.baseURL
        await shop.stop()
        let spec = try Self.spec("smoke:\n  scenarios: [{ name: up, steps: [{ request: { path: /healthz } }] }]\n")
        let session = try HTTPSession()
        let runner = SmokeRunner(
            smoke: spec.smoke!, baseURL: base, directory: ".",
            certificateDays: { _, _ in .failure(HTTPFailure(description: "")) })
        let start = ContinuousClock.now
        let results = await runner.run(session: session)
        await session.shutdown()
        #expect(ContinuousClock.now - start < .seconds(3))
        #expect(results.first?.status == .fail)
        #expect(
            results.first?.summary == "step 'step 1' (1 of 1): connection refused", "\(results.first?.summary ?? "")")
    }
}
