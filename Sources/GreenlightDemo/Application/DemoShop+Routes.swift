import Hummingbird

/// The shop's routes behind its middleware, outermost first: trace context, metrics and logs, shop headers, errors as
/// JSON, then the v2 regression.
func buildRouter(_ state: DemoShopState) -> Router<DemoRequestContext> {
    let router = Router(context: DemoRequestContext.self)
    router.addMiddleware {
        TraceContextMiddleware()
        RequestObservationMiddleware(metrics: state.metrics, requestLogger: state.requestLogger)
        ShopHeadersMiddleware(version: state.version, rateLimiter: state.rateLimiter)
        ErrorMiddleware()
        RegressionMiddleware(regression: state.regression)
    }
    router.addRoutes(
        SystemController(version: state.version, descriptorJSON: state.descriptor.jsonText, metrics: state.metrics)
            .endpoints
    )
    router.addRoutes(AuthController(sessions: state.sessions).endpoints, atPath: "/api")
    router.addRoutes(CatalogController(catalog: state.catalog).endpoints, atPath: "/api/products")
    router.addRoutes(
        OrdersController(catalog: state.catalog, orders: state.orders, sessions: state.sessions).endpoints,
        atPath: "/api/orders"
    )
    router.addRoutes(UploadsController().endpoints, atPath: "/api/uploads")
    return router
}
