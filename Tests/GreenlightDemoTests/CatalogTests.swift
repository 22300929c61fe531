import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GreenlightDemo

struct CatalogTests {
    @Test func listsFiveProductsWithSoldOutSKU5() async throws {
        try await makeShop().test(.router) { client in
            let response = try await client.execute(uri: "/api/products", method: .get)
            #expect(response.status == .ok)
            let products = try #require(jsonObject(response.body)["products"] as? [[String: Any]])
            #expect(products.compactMap { $0["sku"] as? String } == ["SKU-1", "SKU-2", "SKU-3", "SKU-4", "SKU-5"])
            for product in products {
                #expect(Set(product.keys) == ["sku", "name", "price_cents", "stock"])
                #expect((product["price_cents"] as? Int ?? 0) > 0)
                #expect(!(product["name"] as? String ?? "").isEmpty)
            }
            #expect(products.last?["stock"] as? Int == 0)
            #expect(products.dropLast().allSatisfy { ($0["stock"] as? Int ?? 0) > 0 })
        }
    }

    @Test func showsOneProduct() async throws {
        try await makeShop().test(.router) { client in
            let response = try await client.execute(uri: "/api/products/SKU-2", method: .get)
            #expect(response.status == .ok)
            let product = jsonObject(response.body)
            #expect(product["sku"] as? String == "SKU-2")
            #expect(product["price_cents"] as? Int == 5_900)
        }
    }

    @Test(arguments: ["SKU-6", "sku-1", "SKU-1%20", "x"])
    func unknownProductIsNotFound(sku: String) async throws {
        try await makeShop().test(.router) { client in
            let response = try await client.execute(uri: "/api/products/\(sku)", method: .get)
            #expect(response.status == .notFound)
            #expect(errorCode(response) == "not_found")
            #expect(jsonObject(response.body)["message"] is String)
        }
    }
}
