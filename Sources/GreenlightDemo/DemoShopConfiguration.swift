/// How a DemoShop instance listens, which version it plays, and the regression a `v2` carries.
public struct DemoShopConfiguration: Sendable {
    /// Address to bind; keep it on loopback.
    public var host: String = "127.0.0.1"
    /// Port to bind; 0 picks any free port (read it back from ``RunningDemoShop/port``).
    public var port: Int = 0
    /// `"v1"` is healthy; `"v2"` applies ``errorRate`` and ``addedLatency`` to ``regressedRoutes``.
    public var version: String = "v1"
    /// v2 only: share (0...1) of requests on regressed routes that answer 500 `{"error":"internal"}`.
    public var errorRate: Double = 0
    /// v2 only: extra latency on regressed routes.
    public var addedLatency: Duration = .zero
    /// Path prefixes the regression applies to.
    public var regressedRoutes: [String] = ["/api/products", "/api/orders"]
    /// File that receives one JSON line per request (appended); nil writes no logs.
    public var logPath: String? = nil
    /// Seed of the regression's random choices, so a run is reproducible.
    public var seed: UInt64 = 42
    /// Flat keys that extend or override `/internal/info`; dotted keys such as `config.max_connections` set nested
    /// values, and values that read as an integer or a boolean become one.
    public var descriptor: [String: String] = [:]

    public init() {}

    /// Whether the regression settings take effect.
    var carriesRegression: Bool { version == "v2" }

    /// Checks the values a caller can get wrong, before anything binds.
    func validate() throws(DemoShopError) {
        guard (0...65535).contains(port) else {
            throw DemoShopError("port \(port) is out of range: use 0 (any free port) or 1...65535")
        }
        guard errorRate.isFinite, (0...1).contains(errorRate) else {
            throw DemoShopError("errorRate \(errorRate) is out of range: use a share between 0 and 1")
        }
        guard addedLatency >= .zero else {
            throw DemoShopError("addedLatency \(addedLatency) is negative: use zero or more")
        }
        if let logPath {
            do {
                _ = try JSONLineFile(path: logPath)
            } catch {
                throw DemoShopError("cannot open the log file: \(error)")
            }
        }
    }
}
