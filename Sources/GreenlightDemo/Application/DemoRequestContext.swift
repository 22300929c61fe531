import Hummingbird

/// The request context of DemoShop: Hummingbird's core storage plus the request's trace context.
struct DemoRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// Set by ``TraceContextMiddleware`` before any other shop code runs.
    var trace: TraceContext

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.trace = TraceContext()
    }

    /// Largest body the shop reads: an upload of 1 MiB plus its multipart envelope.
    var maxUploadSize: Int { UploadsController.maximumBodyBytes }
}
