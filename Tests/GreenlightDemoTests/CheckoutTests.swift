import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import GreenlightDemo

struct CheckoutTests {
    @Test func signInBuyAndWatchOrderConfirm() async throws {
        try await makeShop().test(.router) { client in
            let token = try await client.signIn()
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]

            let before = jsonObject(try await client.execute(uri: "/api/products/SKU-1", method: .get).body)
            let stockBefore = try #require(before["stock"] as? Int)
            let price = try #require(before["price_cents"] as? Int)

            let placed = try await client.postJSON(
                "/api/orders", #"{"sku":"SKU-1","quantity":2,"card":"4242424242424242"}"#, headers: auth
            )
            #expect(placed.status == .created)
            let order = jsonObject(placed.body)
            let orderID = try #require(order["order_id"] as? String)
            #expect(placed.headers[.location] == "/api/orders/\(orderID)")
            #expect(order["sku"] as? String == "SKU-1")
            #expect(order["quantity"] as? Int == 2)
            #expect(order["total_cents"] as? Int == 2 * price)
            #expect(order["status"] as? String == "placed")
            #expect(order["user"] as? String == "demo@example.com")

            let after = jsonObject(try await client.execute(uri: "/api/products/SKU-1", method: .get).body)
            #expect(after["stock"] as? Int == stockBefore - 2)

            let early = try await client.execute(uri: "/api/orders/\(orderID)", method: .get)
            #expect(early.status == .ok)
            #expect(jsonObject(early.body)["status"] as? String == "placed")

            try await Task.sleep(for: .milliseconds(350))
            let later = try await client.execute(uri: "/api/orders/\(orderID)", method: .get)
            #expect(jsonObject(later.body)["status"] as? String == "confirmed")
            #expect(jsonObject(later.body)["order_id"] as? String == orderID)
        }
    }

    @Test func guestCheckoutHasNoUser() async throws {
        try await makeShop().test(.router) { client in
            let response = try await client.postJSON(
                "/api/orders", #"{"sku":"SKU-3","quantity":1,"card":"5555555555554444"}"#
            )
            #expect(response.status == .created)
            let order = jsonObject(response.body)
            #expect(order["user"] == nil)
            #expect(order["total_cents"] as? Int == 1_200)
        }
    }

    struct FailedCheckout: Sendable, CustomTestStringConvertible {
        var body: String
        var headers: HTTPFields = [:]
        var status: HTTPResponse.Status
        var code: String
        var testDescription: String { "\(code): \(body)" }
    }

    @Test(arguments: [
        FailedCheckout(
            body: #"{"sku":"SKU-1","quantity":1,"card":"4000000000000002"}"#, status: .paymentRequired,
            code: "card_declined"
        ),
        FailedCheckout(
            body: #"{"sku":"SKU-5","quantity":1,"card":"4242424242424242"}"#, status: .conflict, code: "out_of_stock"
        ),
        FailedCheckout(
            body: #"{"sku":"SKU-4","quantity":26,"card":"4242424242424242"}"#, status: .conflict, code: "out_of_stock"
        ),
        FailedCheckout(
            body: #"{"sku":"SKU-404","quantity":1,"card":"4242424242424242"}"#, status: .notFound, code: "not_found"
        ),
        FailedCheckout(
            body: #"{"sku":"SKU-1","quantity":0,"card":"4242424242424242"}"#, status: .badRequest,
            code: "invalid_request"
        ),
        FailedCheckout(
            body: #"{"sku":"SKU-1","quantity":-3,"card":"4242424242424242"}"#, status: .badRequest,
            code: "invalid_request"
        ),
        FailedCheckout(
            body: #"{"sku":"SKU-1","quantity":1.5,"card":"4242424242424242"}"#, status: .badRequest,
            code: "invalid_request"
        ),
        FailedCheckout(
            body: #"{"sku":"SKU-1","quantity":1,"card":"1234"}"#, status: .badRequest, code: "invalid_request"),
        FailedCheckout(
            body: #"{"sku":"SKU-1","quantity":1,"card":"4242-4242-4242-42"}"#, status: .badRequest,
            code: "invalid_request"
        ),
        FailedCheckout(
            body: #"{"sku":"SKU-1","quantity":1,"card":4242424242424242}"#, status: .badRequest,
            code: "invalid_request"
        ),
        FailedCheckout(body: #"{"sku":"SKU-1","quantity":1}"#, status: .badRequest, code: "invalid_request"),
        FailedCheckout(body: "{not json", status: .badRequest, code: "invalid_request"),
        FailedCheckout(
            body: #"{"sku":"SKU-1","quantity":1,"card":"4242424242424242"}"#,
            headers: [.authorization: "Bearer 7.deadbeef"], status: .unauthorized, code: "unauthorized"
        ),
    ])
    func failedCheckout(_ checkout: FailedCheckout) async throws {
        try await makeShop().test(.router) { client in
            let stockBefore = jsonObject(try await client.execute(uri: "/api/products", method: .get).body)
            let response = try await client.postJSON("/api/orders", checkout.body, headers: checkout.headers)
            #expect(response.status == checkout.status)
            #expect(errorCode(response) == checkout.code)
            #expect(response.headers[.location] == nil)
            // A refused order takes nothing out of stock.
            let stockAfter = jsonObject(try await client.execute(uri: "/api/products", method: .get).body)
            #expect(NSDictionary(dictionary: stockBefore) == NSDictionary(dictionary: stockAfter))
        }
    }

    @Test func unknownOrderIsNotFound() async throws {
        try await makeShop().test(.router) { client in
            for id in ["ord-999999", "ord-0", "ord-01", "nope", "ord-"] {
                let response = try await client.execute(uri: "/api/orders/\(id)", method: .get)
                #expect(response.status == .notFound, "\(id)")
                #expect(errorCode(response) == "not_found")
            }
        }
    }

    /// SKU-4 has 25 in stock: of 40 concurrent single-unit orders exactly 25 succeed.
    @Test func concurrentOrdersNeverOversell() async throws {
        try await makeShop().test(.router) { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        try await client.postJSON(
                            "/api/orders", #"{"sku":"SKU-4","quantity":1,"card":"4242424242424242"}"#
                        ).status
                    }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .created }.count == 25)
            #expect(statuses.filter { $0 == .conflict }.count == 15)
            let product = jsonObject(try await client.execute(uri: "/api/products/SKU-4", method: .get).body)
            #expect(product["stock"] as? Int == 0)
        }
    }

    @Test func orderStatusFollowsTheClock() {
        let book = OrderBook(confirmationDelay: .milliseconds(300))
        let start = ContinuousClock.now
        let order = book.place(sku: "SKU-1", quantity: 1, totalCents: 100, user: nil, now: start)
        #expect(book.order(id: order.orderID, now: start + .milliseconds(299))?.status == .placed)
        #expect(book.order(id: order.orderID, now: start + .milliseconds(300))?.status == .confirmed)
    }

    @Test func oldOrdersAreForgottenPastCapacity() {
        let book = OrderBook(capacity: 3)
        let ids = (0..<5).map { _ in book.place(sku: "SKU-1", quantity: 1, totalCents: 1, user: nil).orderID }
        #expect(ids.map { book.order(id: $0) != nil } == [false, false, true, true, true])
    }
}
