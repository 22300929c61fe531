import Hummingbird
import Synchronization

/// An item for sale.
struct Product: ResponseCodable, Equatable {
    var sku: String
    var name: String
    var priceCents: Int
    var stock: Int

    enum CodingKeys: String, CodingKey {
        case sku, name, stock
        case priceCents = "price_cents"
    }
}

/// The products and their stock; stock changes atomically as orders are placed.
final class Catalog: Sendable {
    /// SKU-1 … SKU-5; SKU-5 is sold out.
    static let initialProducts: [Product] = [
        Product(sku: "SKU-1", name: "House Blend Coffee Beans 1 kg", priceCents: 2_450, stock: 100_000),
        Product(sku: "SKU-2", name: "Gooseneck Pour-Over Kettle", priceCents: 5_900, stock: 5_000),
        Product(sku: "SKU-3", name: "Stoneware Mug 350 ml", priceCents: 1_200, stock: 250_000),
        Product(sku: "SKU-4", name: "Conical Burr Grinder", priceCents: 14_900, stock: 25),
        Product(sku: "SKU-5", name: "Limited Edition Cold Brew Kit", priceCents: 8_900, stock: 0),
    ]

    private let products: Mutex<[Product]>

    init(products: [Product] = Catalog.initialProducts) {
        self.products = Mutex(products)
    }

    func all() -> [Product] {
        products.withLock { $0 }
    }

    func product(sku: String) -> Product? {
        products.withLock { products in products.first { $0.sku == sku } }
    }

    /// Takes `quantity` units of `sku` out of stock, all or nothing.
    func reserve(sku: String, quantity: Int) throws(APIError) -> Product {
        try products.withLock { (products: inout [Product]) throws(APIError) -> Product in
            guard let index = products.firstIndex(where: { $0.sku == sku }) else {
                throw .notFound("no product has SKU \(sku)")
            }
            guard quantity <= products[index].stock else {
                throw APIError(
                    .conflict, .outOfStock,
                    "only \(products[index].stock) of \(sku) in stock, \(quantity) requested"
                )
            }
            products[index].stock -= quantity
            return products[index]
        }
    }
}
