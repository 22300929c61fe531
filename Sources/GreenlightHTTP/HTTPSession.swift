import AsyncHTTPClient
import Foundation
import GreenlightCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// How HTTPS servers are trusted.
public enum TLSTrust: Sendable, Hashable {
    /// The system trust store.
    case system
    /// The system trust store plus the CA certificates in this PEM file.
    case customCA(path: String)
    /// No verification at all; for staging servers with throwaway certificates.
    case insecure
}

/// Why a request got no response.
public struct HTTPFailure: Error, Sendable, CustomStringConvertible {
    public var description: String

    public init(description: String) { self.description = description }
}

/// Sends requests for smoke tests and probes: no redirects followed, the body read whole (up to a
/// limit) and the time to the last byte measured. Each request has one deadline, its timeout, that
/// every stage sits under: connecting, the TLS handshake, writing the request, the response head
/// and the body.
///
/// Requests with the same timeout share an AsyncHTTPClient whose connect timeout is that timeout,
/// so that a connection still being opened when its request's deadline struck is given up by then
/// too, and ``shutdown()`` does not wait for it longer.
public final class HTTPSession: Sendable {
    private let configuration: HTTPClient.Configuration
    /// The clients by timeout in milliseconds; nil once shut down.
    private let clients = Mutex<[Int64: HTTPClient]?>([:])
    package let bodyLimit: Int
    /// When set, every request that carries no trace context of its own gets a new one (W3C
    /// `traceparent` or B3), so that the service's logs and traces can be searched for it.
    public let tracing: TraceStamp.Propagation?

    public init(trust: TLSTrust = .system, bodyLimit: Int = 16 << 20, tracing: TraceStamp.Propagation? = nil) throws {
        self.tracing = tracing
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: try trust.clientConfiguration(), redirectConfiguration: .disallow)
        configuration.decompression = .enabled(limit: .ratio(100))
        configuration.httpVersion = .http1Only
        // A refused connection is an answer: report it at once instead of retrying until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.configuration = configuration
        self.bodyLimit = bodyLimit
    }

    public func shutdown() async {
        let clients = clients.withLock { clients in
            defer { clients = nil }
            return clients.map { Array($0.values) } ?? []
        }
        for client in clients { try? await client.shutdown() }
    }

    /// The client for requests with `timeout`, made on first use; nil once the session is shut down.
    private func client(for timeout: Duration) -> HTTPClient? {
        let key = Int64(timeout / .milliseconds(1))
        return clients.withLock { clients in
            guard clients != nil else { return nil }
            if let client = clients![key] { return client }
            var configuration = configuration
            configuration.timeout.connect = .milliseconds(max(1, key))
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients![key] = client
            return client
        }
    }

    /// Sends one request; throws ``HTTPFailure`` with a precise reason when no response came, or
    /// not all of it within `timeout`.
    package func send(_ record: HTTPRequestRecord, timeout: Duration) async throws -> HTTPResponseRecord {
        let start = ContinuousClock.now
        let deadline = NIODeadline.now() + TimeAmount(timeout)
        guard let client = client(for: timeout) else {
            throw HTTPFailure(description: "the HTTP session is shut down")
        }
        do {
            var headers = record.headers
            if let tracing, !headers.contains(where: { TraceStamp.headerNames.contains($0.name.lowercased()) }) {
                headers += TraceStamp(propagation: tracing).headers
            }
            let request = try HTTPClient.Request(
                url: record.url, method: HTTPMethod(rawValue: record.method),
                headers: HTTPHeaders(headers.map { ($0.name, $0.value) }),
                body: record.body.isEmpty ? nil : .bytes(record.body))
            let answer = try await client.exchange(request, deadline: deadline, body: .failAbove(bodyLimit))
            let elapsed = ContinuousClock.now - start
            return HTTPResponseRecord(
                status: Int(answer.head.status.code),
                headers: answer.head.headers.map { ($0.name, $0.value) },
                body: Data(answer.body.readableBytesView),
                seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        } catch {
            throw HTTPFailure(description: Self.reason(error, timeout: timeout, url: record.url))
        }
    }

    /// Why the deadline struck, in the words of the stage it struck in: `timed out after 2 s while
    /// connecting to api.example.com:443 (TCP connect or TLS handshake)`.
    static func timeoutReason(_ stage: HTTPStage, timeout: Duration, url: String) -> String {
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        return "timed out after \(Format.duration(seconds)) while \(stage.phrase(url: url))"
    }

    /// A reason a person can act on, for the errors AsyncHTTPClient and NIO throw.
    static func reason(_ error: Error, timeout: Duration, url: String) -> String {
        let text = String(describing: error)
        if let e = error as? HTTPDeadlineExceeded { return timeoutReason(e.stage, timeout: timeout, url: url) }
        if error is HTTPBodyTooLarge { return "the response body is larger than the limit" }
        if let e = error as? HTTPRequestRefused { return "request not sent: \(e.description)" }
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .tlsHandshakeTimeout:
                // The exchange's own deadline normally strikes first and names the stage.
                let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
                return "timed out after \(Format.duration(seconds))"
            case .remoteConnectionClosed: return "the server closed the connection without a response"
            case .bodyLengthMismatch: return "the response body was shorter or longer than its Content-Length"
            case .invalidURL, .emptyHost, .emptyScheme:
                return "'\(url)' is not a URL greenlight can request (\(e))"
            default: break
            }
            if text.contains("unsupportedScheme") {
                return "'\(url)' is not a URL greenlight can request (only http and https are)"
            }
            if text.contains("responseTooLarge") || text.contains("bodyTooLarge") {
                return "the response body is larger than the limit"
            }
        }
        if let e = error as? NIOConnectionError {
            if e.dnsAAAAError != nil || e.dnsAError != nil, e.connectionErrors.isEmpty {
                return "the host does not resolve"
            }
            if e.connectionErrors.contains(where: {
                "\($0.error)".contains("connection refused") || "\($0.error)".contains("errno: 111")
            }) {
                return "connection refused"
            }
        }
        if text.contains("connectionRefused") || text.contains("Connection refused") || text.contains("errno: 111") {
            return "connection refused"
        }
        if error is NIOSSLError || error is BoringSSLError || error is NIOSSLExtraError || text.contains("certificate")
            || text.contains("handshake")
        {
            return "TLS handshake failed: \(TLSErrorText.reason(error))"
        }
        if text.contains("DNS") || text.contains("dns") || text.contains("resolve") {
            return "the host does not resolve (\(text))"
        }
        return "request failed: \(text)"
    }
}

extension HTTPStage {
    /// The stage, worded to follow "timed out after 2 s while".
    func phrase(url: String) -> String {
        switch self {
        case .connecting:
            let parts = URLComponents(string: url)
            let scheme = parts?.scheme?.lowercased() ?? "http"
            let host = parts?.host ?? url
            let port = parts?.port ?? (scheme == "https" ? 443 : 80)
            let target = host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)"
            return scheme == "https"
                ? "connecting to \(target) (TCP connect or TLS handshake)" : "connecting to \(target)"
        case .sending:
            return "sending the request"
        case .waiting:
            return "waiting for the response"
        case .readingBody(let received, let expected):
            let of = expected.map { " of \($0)" } ?? ""
            return "reading the response body (\(received)\(of) bytes received)"
        }
    }
}
