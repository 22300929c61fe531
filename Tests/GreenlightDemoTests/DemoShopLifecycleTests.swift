import Foundation
import Testing

@testable import GreenlightDemo

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct DemoShopLifecycleTests {
    /// GETs `url` with a fresh ephemeral session, so no connection outlives the request.
    static func get(_ url: String) async throws -> (status: Int, headers: [String: String], body: Data) {
        let session = URLSession(configuration: .ephemeral)
        defer { session.invalidateAndCancel() }
        var request = URLRequest(url: URL(string: url)!)
        request.timeoutInterval = 10
        let (data, response) = try await session.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            headers["\(name)".lowercased()] = "\(value)"
        }
        return (http.statusCode, headers, data)
    }

    @Test func startServesRealHTTPAndStopsCleanly() async throws {
        var configuration = DemoShopConfiguration()
        configuration.version = "v2"
        let shop = try await DemoShop.start(configuration)
        #expect(shop.port > 0)
        #expect(shop.baseURL == "http://127.0.0.1:\(shop.port)")

        let health = try await Self.get(shop.baseURL + "/healthz")
        #expect(health.status == 200)
        let body = try JSONSerialization.jsonObject(with: health.body) as? [String: String]
        #expect(body == ["status": "ok", "version": "v2"])
        #expect(health.headers["x-demo-version"] == "v2")
        #expect(health.headers["traceparent"].flatMap(TraceContext.parse) != nil)

        await shop.stop()
        await shop.stop()
        await #expect(throws: (any Error).self) {
            _ = try await Self.get(shop.baseURL + "/healthz")
        }
    }

    @Test func busyPortFailsToStart() async throws {
        let first = try await DemoShop.start(DemoShopConfiguration())
        var configuration = DemoShopConfiguration()
        configuration.port = first.port
        await #expect(throws: DemoShopError.self) {
            let second = try await DemoShop.start(configuration)
            await second.stop()
        }
        #expect(try await Self.get(first.baseURL + "/healthz").status == 200)
        await first.stop()
    }

    @Test(
        arguments: [
            { (c: inout DemoShopConfiguration) in c.port = 70_000 },
            { (c: inout DemoShopConfiguration) in c.errorRate = 1.5 },
            { (c: inout DemoShopConfiguration) in c.errorRate = .nan },
            { (c: inout DemoShopConfiguration) in c.addedLatency = .milliseconds(-1) },
            { (c: inout DemoShopConfiguration) in c.logPath = "/nonexistent-dir/demoshop.log" },
        ] as [@Sendable (inout DemoShopConfiguration) -> Void])
    func invalidConfigurationIsRejected(change: @Sendable (inout DemoShopConfiguration) -> Void) async throws {
        var configuration = DemoShopConfiguration()
        change(&configuration)
        await #expect(throws: DemoShopError.self) {
            let shop = try await DemoShop.start(configuration)
            await shop.stop()
        }
    }

    @Test func runServesInTheForegroundUntilCancelled() async throws {
        // Borrow a free port from a shop started and stopped just before.
        let probe = try await DemoShop.start(DemoShopConfiguration())
        let port = probe.port
        await probe.stop()

        var configuration = DemoShopConfiguration()
        configuration.port = port
        let task = Task { try await DemoShop.run(configuration) }
        var status: Int?
        for _ in 0..<50 where status == nil {
            status = try? await Self.get("http://127.0.0.1:\(port)/healthz").status
            if status == nil { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(status == 200)
        task.cancel()
        _ = await task.result
        await #expect(throws: (any Error).self) {
            _ = try await Self.get("http://127.0.0.1:\(port)/healthz")
        }
    }
}
