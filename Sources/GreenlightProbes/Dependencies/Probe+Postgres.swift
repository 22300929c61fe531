import Foundation
import GreenlightCore
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

extension Probe {
    /// Connects and signs in with postgres-nio, runs `SELECT 1`, reads the server version, and runs
    /// the spec's `query` when it has one.
    func checkPostgres() async -> ProbeOutcome {
        let url: PostgresURL
        do {
            url = try PostgresURL(spec.url ?? "")
        } catch {
            return .error("the postgres URL \(DisplayURL.withoutPassword(spec.url ?? "")) \(error.reason)")
        }
        progress.target = url.target
        var details = ["connecting to \(url.display)"]
        if HostPort.isUnderInvalid(url.host) {
            return .fail("host does not resolve: \(url.host) (NXDOMAIN, a name under .invalid)", details: details)
        }
        let configuration: PostgresConnection.Configuration
        do {
            configuration = try connectionConfiguration(url)
        } catch {
            return .error("cannot set up TLS for \(url.display): \(error)", details: details)
        }

        progress.phase = "connecting to \(url.target) and signing in as \(url.user)"
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Self.quiet)
        } catch {
            return .fail(describePostgres(error, url: url, step: "signing in"), details: details)
        }
        let signedIn = elapsed
        var measurements: [CheckResult.Measurement] = [.milliseconds("connect_ms", signedIn)]
        var step = "SELECT 1"
        let outcome: ProbeOutcome
        do {
            let version = try await withTaskCancellationHandler {
                progress.phase = "waiting for the answer to SELECT 1 from \(url.target)"
                for try await _ in try await connection.query("SELECT 1", logger: Self.quiet) {}
                measurements.insert(.milliseconds("latency_ms", elapsed), at: 0)
                step = "SHOW server_version"
                progress.phase = "waiting for the answer to SHOW server_version from \(url.target)"
                var version = "unknown"
                for try await row in try await connection.query("SHOW server_version", logger: Self.quiet) {
                    version = try row.decode(String.self)
                }
                details.append("server_version: \(version)")
                if let query = spec.query {
                    step = "the query"
                    progress.phase = "waiting for the answer to the query from \(url.target)"
                    let queryStart = ContinuousClock.now
                    var rows = 0
                    for try await _ in try await connection.query(PostgresQuery(unsafeSQL: query), logger: Self.quiet) {
                        rows += 1
                    }
                    let seconds = Self.seconds(.now - queryStart)
                    measurements.append(.milliseconds("query_ms", seconds))
                    details.append("query: \(query) → \(Format.count(rows, "row")) in \(Format.duration(seconds))")
                }
                return version
            } onCancel: {
                let _: EventLoopFuture<Void> = connection.close()
            }
            let shortVersion = version.split(separator: " ").first.map(String.init) ?? version
            outcome = .pass(
                "PostgreSQL \(shortVersion) answered SELECT 1 in \(Format.duration(elapsed)) as \(url.user) on \(url.database)",
                details: details, measurements: measurements)
        } catch {
            outcome = .fail(describePostgres(error, url: url, step: step), details: details, measurements: measurements)
        }
        // postgres-nio requires a connection to be closed before it is released.
        try? await connection.close()
        return outcome
    }

    /// The connection settings for `url`, TLS as its sslmode asks (libpq's meaning of each mode).
    func connectionConfiguration(_ url: PostgresURL) throws -> PostgresConnection.Configuration {
        var tlsConfiguration = settings.tlsConfiguration()
        let tls: PostgresConnection.Configuration.TLS
        switch url.sslMode {
        case "disable":
            tls = .disable
        case "allow", "prefer":
            tlsConfiguration.certificateVerification = .none
            tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration))
        case "require":
            tlsConfiguration.certificateVerification = .none
            tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
        case "verify-ca":
            if !settings.insecure { tlsConfiguration.certificateVerification = .noHostnameVerification }
            tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
        default:
            tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
        }
        var configuration: PostgresConnection.Configuration
        if let socketPath = url.socketPath {
            configuration = .init(
                unixSocketPath: socketPath, username: url.user, password: url.password, database: url.database)
        } else {
            configuration = .init(
                host: url.host, port: url.port, username: url.user, password: url.password, database: url.database,
                tls: tls)
        }
        configuration.options.connectTimeout = timeLeft
        configuration.options.additionalStartupParameters = [("application_name", "greenlight")]
        return configuration
    }

    /// The reason a connection or a query failed: SQLSTATE 28P01/28000 authentication, 3D000 no
    /// such database, refused, timed out.
    func describePostgres(_ error: any Error, url: PostgresURL, step: String) -> String {
        guard let error = error as? PSQLError else { return describe(error) }
        let state = error.serverInfo?[.sqlState] ?? ""
        let message = error.serverInfo?[.message] ?? ""
        switch error.code {
        case .server:
            switch state {
            case "28P01": return "authentication failed for user \(url.user) (SQLSTATE 28P01: \(message))"
            case "28000": return "authentication failed for user \(url.user): \(message) (SQLSTATE 28000)"
            case "3D000": return "database \(url.database) does not exist (SQLSTATE 3D000)"
            case "53300": return "the server refused the connection: too many connections (SQLSTATE 53300)"
            case "57P03": return "the server is not accepting connections yet: \(message) (SQLSTATE 57P03)"
            default: return "\(step) failed: \(message) (SQLSTATE \(state))"
            }
        case .connectionError:
            return error.underlying.map(describe) ?? "connection to \(url.target) failed"
        case .sslUnsupported:
            return "\(url.target) does not support TLS, which sslmode=\(url.sslMode) requires"
        case .authMechanismRequiresPassword:
            return "authentication failed for user \(url.user): the server asks for a password and the URL has none"
        case .unsupportedAuthMechanism:
            return "authentication failed for user \(url.user): the server asks for an unsupported method"
        case .serverClosedConnection, .uncleanShutdown:
            return "connection closed by \(url.target) while \(progress.phase)"
        case .queryCancelled, .clientClosedConnection:
            return timeoutReason
        default:
            return
                "\(step) failed: \(error.underlying.map { String(describing: $0) } ?? String(describing: error.code))"
        }
    }

    /// postgres-nio logs nothing of ours: libraries never print.
    static let quiet = Logger(label: "greenlight.dependencies", factory: { _ in SwiftLogNoOpLogHandler() })
}
