import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GreenlightDemo

struct RegressionTests {
    @Test func fullErrorRateFailsEveryRegressedRequest() async throws {
        try await makeShop {
            $0.version = "v2"
            $0.errorRate = 1.0
        }.test(.router) { client in
            for uri in ["/api/products", "/api/products/SKU-1", "/api/orders/ord-1"] {
                let response = try await client.execute(uri: uri, method: .get)
                #expect(response.status == .internalServerError, "\(uri)")
                #expect(errorCode(response) == "internal")
                #expect(response.headers[.demoVersion] == "v2")
                #expect(response.headers[.traceparent] != nil)
            }
            let order = try await client.postJSON(
                "/api/orders", #"{"sku":"SKU-1","quantity":1,"card":"4242424242424242"}"#)
            #expect(order.status == .internalServerError)

            // Routes outside the regressed prefixes behave as in v1.
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            #expect(try await client.signIn().isEmpty == false)
            #expect(try await client.execute(uri: "/api/me", method: .get).status == .unauthorized)
        }
    }

    @Test func addedLatencySlowsOnlyRegressedRoutes() async throws {
        try await makeShop {
            $0.version = "v2"
            $0.addedLatency = .milliseconds(100)
            $0.regressedRoutes = ["/api/products"]
        }.test(.router) { client in
            var start = ContinuousClock.now
            let products = try await client.execute(uri: "/api/products", method: .get)
            #expect(start.duration(to: .now) >= .milliseconds(100))
            #expect(products.status == .ok)
            start = .now
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(start.duration(to: .now) < .milliseconds(100))
            #expect(health.status == .ok)
        }
    }

    @Test func v1IgnoresTheRegressionSettings() async throws {
        try await makeShop {
            $0.version = "v1"
            $0.errorRate = 1.0
            $0.addedLatency = .seconds(5)
        }.test(.router) { client in
            let start = ContinuousClock.now
            let response = try await client.execute(uri: "/api/products", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.demoVersion] == "v1")
            #expect(start.duration(to: .now) < .seconds(1))
        }
    }

    /// The failures follow the seed: the same seed fails the same requests, at about the configured rate.
    @Test func partialErrorRateIsSeededAndProportional() async throws {
        func statuses(seed: UInt64) async throws -> [Bool] {
            try await makeShop {
                $0.version = "v2"
                $0.errorRate = 0.3
                $0.seed = seed
            }.test(.router) { client in
                var failed: [Bool] = []
                for _ in 0..<200 {
                    failed.append(
                        try await client.execute(uri: "/api/products", method: .get).status == .internalServerError)
                }
                return failed
            }
        }
        let first = try await statuses(seed: 42)
        let again = try await statuses(seed: 42)
        let other = try await statuses(seed: 7)
        #expect(first == again)
        #expect(first != other)
        let share = Double(first.filter { $0 }.count) / Double(first.count)
        #expect((0.2...0.4).contains(share))
    }

    @Test func seededRandomIsUniformEnough() {
        var random = SeededRandom(seed: 1)
        let draws = (0..<10_000).map { _ in random.nextUnitInterval() }
        #expect(draws.allSatisfy { (0..<1).contains($0) })
        let mean = draws.reduce(0, +) / Double(draws.count)
        #expect(abs(mean - 0.5) < 0.02)
    }
}
