import Synchronization

/// The deliberate regression a `v2` shop carries: added latency and a share of 500s on some path prefixes.
final class Regression: Sendable {
    let errorRate: Double
    let addedLatency: Duration
    let pathPrefixes: [String]
    private let random: Mutex<SeededRandom>

    /// The configured regression, or nil for a healthy `v1` or a v2 without effect.
    init?(_ configuration: DemoShopConfiguration) {
        guard configuration.carriesRegression, configuration.errorRate > 0 || configuration.addedLatency > .zero,
            !configuration.regressedRoutes.isEmpty
        else { return nil }
        self.errorRate = configuration.errorRate
        self.addedLatency = configuration.addedLatency
        self.pathPrefixes = configuration.regressedRoutes
        self.random = Mutex(SeededRandom(seed: configuration.seed))
    }

    func applies(to path: String) -> Bool {
        pathPrefixes.contains { path.hasPrefix($0) }
    }

    /// Draws whether the next affected request fails; the sequence of draws is fixed by the seed.
    func nextRequestFails() -> Bool {
        guard errorRate > 0 else { return false }
        return random.withLock { $0.nextUnitInterval() } < errorRate
    }
}
