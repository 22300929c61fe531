package import Foundation
import GreenlightCanary
import GreenlightHTTP
import GreenlightLedger
import GreenlightWebhooks
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import OpenAPIHummingbird
package import OpenAPIRuntime

/// How `greenlight serve` runs.
public struct TeamServerConfiguration: Sendable {
    public var host: String
    public var port: Int
    /// Roles that may change flags and canary weights and approve rollout steps.
    public var operatorRoles: Set<String>
    /// Where the JSON log lines go (standard error by default); nil: no logs.
    public var log: (@Sendable (String) -> Void)?
    public var logLevel: Logger.Level
    /// Where the release's trace goes: webhooks fed from the ledger (`serve --webhooks FILE`).
    public var webhooks: [WebhookTarget] = []
    /// The file that keeps the webhooks' cursor across restarts; nil: start at the head each time.
    public var webhookState: String?
    /// HTTPS: the PEM certificate chain and private key (`serve --tls-cert --tls-key`); nil: plain HTTP.
    public var tlsCertificate: String?
    public var tlsKey: String?
    /// The canary routers' admin APIs (`serve --router`), and their bearer token.
    public var routers: [String] = []
    public var routerToken: String?
    /// The outgoing webhooks' deliveries, whose failures the dashboard's home page lists; nil: none.
    public var deliveries: DashboardDeliveries? = nil

    /// Log lines to standard error.
    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    public static let defaultOperatorRoles: Set<String> = ["sre", "engineering", "ci"]

    public init(
        host: String = "127.0.0.1", port: Int = 8080, operatorRoles: Set<String> = Self.defaultOperatorRoles,
        log: (@Sendable (String) -> Void)? = TeamServerConfiguration.standardError, logLevel: Logger.Level = .info
    ) {
        self.host = host
        self.port = port
        self.operatorRoles = operatorRoles
        self.log = log
        self.logLevel = logLevel
    }
}

/// The team server: the API of docs/openapi.yaml on the ledger, OFREP for the flags, `/metrics`,
/// `/healthz`, with JSON logs carrying trace ids. Stops gracefully (in-flight requests finish) on
/// SIGTERM or SIGINT when run with signals.
public struct TeamServer: Sendable {
    public let store: any LedgerStore
    public let configuration: TeamServerConfiguration

    public init(store: any LedgerStore, configuration: TeamServerConfiguration = .init()) {
        self.store = store
        self.configuration = configuration
    }

    /// Serves until cancelled, or until SIGTERM or SIGINT when `signals` is true. `onListening` receives
    /// the bound port.
    public func run(signals: Bool = false, onListening: @escaping @Sendable (Int) -> Void = { _ in }) async throws {
        let logger = makeLogger()
        let ledger = ReleaseLedger(store: store)
        let index = LedgerIndex(ledger: ledger)
        _ = try await index.current()
        let flags = FlagStore(ledger: store)
        try await flags.refresh()
        let ofrep = OFREPService(store: flags)
        let metrics = ServerMetrics()
        let dispatcher =
            configuration.webhooks.isEmpty
            ? nil
            : try WebhookDispatcher(
                store: store, targets: configuration.webhooks,
                configuration: .init(statePath: configuration.webhookState), logger: logger)

        let router = Router()
        router.add(middleware: RequestTelemetry(logger: logger, metrics: metrics))
        router.add(middleware: MethodCheck())
        router.add(middleware: BodyLimit())
        let session = configuration.routers.isEmpty ? nil : try HTTPSession()
        defer { if let session { Task { await session.shutdown() } } }
        let routers = RouterClient(
            admins: configuration.routers.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 },
            token: configuration.routerToken, session: session)
        let api = TeamAPI(
            index: index, flags: flags, operatorRoles: configuration.operatorRoles, alerts: AlertInbox(),
            routers: routers)
        try api.registerHandlers(
            on: router, serverURL: URL(string: "/")!,
            middlewares: [ProblemMiddleware(), TokenMiddleware(index: index)])
        ofrep.mount(on: router)
        var dashboardConfiguration = configuration
        if dashboardConfiguration.deliveries == nil, let dispatcher {
            // The dashboard's home page lists the webhook deliveries that failed.
            dashboardConfiguration.deliveries = {
                dispatcher.deliveries().filter { $0.status != .skipped }.map {
                    (
                        target: $0.target, event: $0.event.rawValue, status: $0.status.rawValue,
                        detail: $0.error ?? $0.httpStatus.map { "HTTP \($0)" } ?? "", time: $0.time
                    )
                }
            }
        }
        Dashboard(index: index, flags: flags, configuration: dashboardConfiguration).mount(on: router)
        router.get("/metrics") { _, _ -> Response in
            if let head = try? await store.head() { metrics.records.set(to: Double(head.count)) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.text())))
        }
        let server: HTTPServerBuilder
        if let certificate = configuration.tlsCertificate, let key = configuration.tlsKey {
            let tls = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            server = try .tls(.http1(), tlsConfiguration: tls)
        } else {
            server = .http1()
        }
        let app = Application(
            router: router, server: server,
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "greenlight"),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? configuration.port
                logger.info(
                    "listening",
                    metadata: [
                        "address": .string("\(configuration.host):\(port)"), "ledger": .string("\(type(of: store))"),
                    ])
                onListening(port)
            },
            logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: signals ? [.sigterm, .sigint] : []) }
            group.addTask { await ofrep.poll() }
            if let dispatcher {
                // The trace never blocks the gate: deliveries run beside the server, and a failure is
                // logged and shown, not raised.
                group.addTask {
                    do { try await dispatcher.run() } catch { logger.error("webhooks stopped: \(error)") }
                    try await Task.sleep(for: .seconds(365 * 86_400))
                }
            }
            // The server ends first (a signal, or an error); the poller stops with it.
            _ = try await group.next()
            group.cancelAll()
        }
        logger.info("stopped")
    }

    private func makeLogger() -> Logger {
        guard let sink = configuration.log else {
            return Logger(label: "greenlight.server") { _ in SwiftLogNoOpLogHandler() }
        }
        var logger = Logger(label: "greenlight.server") { label in JSONLogHandler(label: label, sink: sink) }
        logger.logLevel = configuration.logLevel
        return logger
    }

    /// Starts serving on a background task and returns once the port is bound (tests, the demo).
    public func start() async throws -> RunningTeamServer {
        let bound = AsyncStream<Int>.makeStream()
        let failure = FailureBox()
        let task = Task {
            do {
                try await run { _ = bound.continuation.yield($0) }
            } catch {
                failure.error = error
            }
            bound.continuation.finish()
        }
        var ports = bound.stream.makeAsyncIterator()
        guard let port = await ports.next() else {
            task.cancel()
            throw LedgerError(
                .storage,
                "the server could not start on \(configuration.host):\(configuration.port): \(failure.error.map { "\($0)" } ?? "no reason given")"
            )
        }
        return RunningTeamServer(
            host: configuration.host, port: port, scheme: configuration.tlsCertificate == nil ? "http" : "https",
            task: task)
    }
}

/// The error a background server ended with. Written once by the task before it finishes the stream
/// the caller waits on, read after: the stream's ordering makes the unsynchronised access safe.
private final class FailureBox: @unchecked Sendable {
    var error: (any Error)?
}

/// A server started with ``TeamServer/start()``.
public struct RunningTeamServer: Sendable {
    public let host: String
    public let port: Int
    /// `http`, or `https` with TLS.
    public let scheme: String
    let task: Task<Void, Never>

    /// `http://host:port` (or https).
    public var baseURL: String { "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)" }

    /// Stops the server.
    public func stop() async {
        task.cancel()
        await task.value
    }
}
