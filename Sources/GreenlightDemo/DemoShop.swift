import Hummingbird
import Logging
import ServiceLifecycle
import UnixSignals

/// DemoShop: the embedded sample service the demo and the tests run against.
///
/// A small shop API (sign-in, catalog, checkout, uploads) with the hooks a readiness gate looks for: health, a parity
/// descriptor, Prometheus metrics, W3C trace context and JSON request logs. Version `v2` can carry a deliberate
/// regression (errors and latency on chosen routes) so canary and load checks have something to catch.
public enum DemoShop {
    /// Starts the shop on a background task and returns once it accepts connections.
    public static func start(_ configuration: DemoShopConfiguration) async throws -> RunningDemoShop {
        try configuration.validate()
        let bound = OneShot<Int>()
        let app = buildDemoShopApplication(configuration) { port in
            if let port {
                bound.resolve(.success(port))
            } else {
                bound.resolve(.failure(DemoShopError("the server started but reported no local port")))
            }
        }
        let group = ServiceGroup(configuration: groupConfiguration(for: app, signals: []))
        let task = Task {
            do {
                try await group.run()
                bound.resolve(.failure(DemoShopError("the server stopped before it accepted connections")))
            } catch {
                bound.resolve(
                    .failure(DemoShopError("cannot serve on \(configuration.host):\(configuration.port): \(error)"))
                )
            }
        }
        let handle = RunningDemoShop.Handle(group: group, task: task)
        do {
            let port = try await withTaskCancellationHandler {
                try await bound.value()
            } onCancel: {
                task.cancel()
            }
            return RunningDemoShop(host: configuration.host, port: port, handle: handle)
        } catch {
            await handle.stop()
            throw error
        }
    }

    /// Runs in the foreground until cancelled (for `greenlight demo shop`).
    ///
    /// SIGINT and SIGTERM shut the server down gracefully and make this return.
    public static func run(
        _ configuration: DemoShopConfiguration, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    )
        async throws
    {
        try configuration.validate()
        let app = buildDemoShopApplication(configuration) { port in if let port { onListening(port) } }
        try await ServiceGroup(configuration: groupConfiguration(for: app, signals: [.sigint, .sigterm])).run()
    }

    /// How long a graceful shutdown may wait for open requests before they are cancelled.
    static let maximumGracefulShutdownDuration: Duration = .seconds(5)

    private static func groupConfiguration(
        for app: some ApplicationProtocol, signals: [UnixSignal]
    ) -> ServiceGroupConfiguration {
        var configuration = ServiceGroupConfiguration(
            services: [app], gracefulShutdownSignals: signals, logger: .silent
        )
        configuration.maximumGracefulShutdownDuration = maximumGracefulShutdownDuration
        return configuration
    }
}

extension Logger {
    /// A logger that drops everything: libraries never print.
    static var silent: Logger {
        Logger(label: "greenlight.demoshop") { _ in SwiftLogNoOpLogHandler() }
    }
}
