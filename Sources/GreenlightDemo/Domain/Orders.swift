import Hummingbird
import Synchronization

/// A placed order as the API shows it.
struct Order: ResponseCodable, Equatable {
    enum Status: String, Codable, Sendable {
        case placed
        case confirmed
    }

    var orderID: String
    var sku: String
    var quantity: Int
    var totalCents: Int
    var status: Status
    /// The signed-in buyer; nil for a guest checkout.
    var user: String?

    enum CodingKeys: String, CodingKey {
        case sku, quantity, status, user
        case orderID = "order_id"
        case totalCents = "total_cents"
    }
}

/// Placed orders. An order reads `placed` until ``confirmationDelay`` after creation and `confirmed` after, like an
/// eventually consistent back office; the oldest are forgotten past a cap.
final class OrderBook: Sendable {
    private struct Entry: Sendable {
        var order: Order
        var placedAt: ContinuousClock.Instant
    }

    private struct State: Sendable {
        var nextNumber = 1
        var entries: [Int: Entry] = [:]
    }

    let confirmationDelay: Duration
    let capacity: Int
    private let state = Mutex(State())

    init(confirmationDelay: Duration = .milliseconds(300), capacity: Int = 100_000) {
        self.confirmationDelay = confirmationDelay
        self.capacity = capacity
    }

    func place(
        sku: String, quantity: Int, totalCents: Int, user: String?, now: ContinuousClock.Instant = .now
    ) -> Order {
        state.withLock { state in
            let number = state.nextNumber
            state.nextNumber += 1
            let order = Order(
                orderID: "ord-\(number)", sku: sku, quantity: quantity, totalCents: totalCents, status: .placed,
                user: user
            )
            state.entries[number] = Entry(order: order, placedAt: now)
            state.entries[number - capacity] = nil
            return order
        }
    }

    /// The order with `id` and its status as of `now`.
    func order(id: String, now: ContinuousClock.Instant = .now) -> Order? {
        guard id.hasPrefix("ord-"), let number = Int(id.dropFirst(4)), "ord-\(number)" == id else { return nil }
        guard let entry = state.withLock({ $0.entries[number] }) else { return nil }
        var order = entry.order
        order.status = now - entry.placedAt >= confirmationDelay ? .confirmed : .placed
        return order
    }
}
