import Hummingbird

/// `GET /api/products` and `GET /api/products/{sku}`.
struct CatalogController {
    typealias Context = DemoRequestContext

    let catalog: Catalog

    var endpoints: RouteCollection<Context> {
        RouteCollection(context: Context.self)
            .get(use: list)
            .get("{sku}", use: show)
    }

    struct ProductList: ResponseEncodable {
        var products: [Product]
    }

    @Sendable func list(_ request: Request, context: Context) async throws -> ProductList {
        ProductList(products: catalog.all())
    }

    @Sendable func show(_ request: Request, context: Context) async throws -> Product {
        let sku = try context.parameters.require("sku")
        guard let product = catalog.product(sku: sku) else {
            throw APIError.notFound("no product has SKU \(sku)")
        }
        return product
    }
}
