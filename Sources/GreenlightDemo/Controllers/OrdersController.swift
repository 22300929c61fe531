import Hummingbird

/// `POST /api/orders` (checkout, guests welcome) and `GET /api/orders/{id}`.
struct OrdersController {
    typealias Context = DemoRequestContext

    /// The test card that is always declined.
    static let declinedCard = "4000000000000002"

    let catalog: Catalog
    let orders: OrderBook
    let sessions: Sessions

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .post(use: place)
            .get("{id}", use: show)
    }

    struct Checkout: Decodable {
        var sku: String
        var quantity: Int
        var card: String
    }

    @Sendable func place(_ request: Request, context: Context) async throws -> EditedResponse<Order> {
        let user = try sessions.user(authenticating: request)
        let checkout = try await request.decodeJSON(Checkout.self)
        guard checkout.quantity >= 1 else {
            throw APIError.invalidRequest("quantity must be at least 1, got \(checkout.quantity)")
        }
        guard checkout.card.utf8.count == 16, checkout.card.utf8.allSatisfy({ (48...57).contains($0) }) else {
            throw APIError.invalidRequest("card must be 16 digits")
        }
        guard let product = catalog.product(sku: checkout.sku) else {
            throw APIError.notFound("no product has SKU \(checkout.sku)")
        }
        guard checkout.card != Self.declinedCard else {
            throw APIError(.paymentRequired, .cardDeclined, "the card was declined: use another card")
        }
        _ = try catalog.reserve(sku: product.sku, quantity: checkout.quantity)
        let (total, overflow) = product.priceCents.multipliedReportingOverflow(by: checkout.quantity)
        guard !overflow else {
            throw APIError.invalidRequest("quantity \(checkout.quantity) is too large")
        }
        let order = orders.place(sku: product.sku, quantity: checkout.quantity, totalCents: total, user: user)
        return EditedResponse(status: .created, headers: [.location: "/api/orders/\(order.orderID)"], response: order)
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Order {
        let id = try context.parameters.require("id")
        guard let order = orders.order(id: id) else {
            throw APIError.notFound("no order has id \(id)")
        }
        return order
    }
}
