import GreenlightJSON
import Logging

/// Everything one DemoShop instance keeps between requests.
struct DemoShopState: Sendable {
    var version: String
    var catalog = Catalog()
    var orders = OrderBook()
    var sessions = Sessions()
    var rateLimiter = RateLimiter()
    var metrics: Metrics
    var regression: Regression?
    /// Receives the request log lines; nil when the configuration names no log file.
    var requestLogger: Logger?
    var descriptor: JSONValue

    init(configuration: DemoShopConfiguration, host: HostEnvironment = .current()) {
        self.version = configuration.version
        self.metrics = Metrics(version: configuration.version)
        self.regression = Regression(configuration)
        self.requestLogger = configuration.logPath.flatMap { path in
            guard let file = try? JSONLineFile(path: path) else { return nil }
            return Logger(label: "greenlight.demoshop.requests") { _ in JSONLogger(file: file) }
        }
        self.descriptor = ParityDescriptor.build(configuration: configuration, host: host)
    }
}
