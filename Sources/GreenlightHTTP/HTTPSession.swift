import AsyncHTTPClient
import Foundation
import GreenlightCore
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

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

/// Sends requests for smoke tests and probes: one client, no redirects followed, a deadline per
/// request, the body read whole (up to a limit) and the time to the last byte measured.
public final class HTTPSession: Sendable {
    let client: HTTPClient
    package let bodyLimit: Int

    public init(trust: TLSTrust = .system, bodyLimit: Int = 16 << 20) throws {
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: try trust.clientConfiguration(), redirectConfiguration: .disallow)
        configuration.decompression = .enabled(limit: .ratio(100))
        configuration.httpVersion = .http1Only
        // A refused connection is an answer: report it at once instead of retrying until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.bodyLimit = bodyLimit
    }

    public func shutdown() async {
        try? await client.shutdown()
    }

    /// Sends one request; throws ``HTTPFailure`` with a precise reason when no response came.
    package func send(_ record: HTTPRequestRecord, timeout: Duration) async throws -> HTTPResponseRecord {
        var request = HTTPClientRequest(url: record.url)
        request.method = HTTPMethod(rawValue: record.method)
        for (name, value) in record.headers { request.headers.add(name: name, value: value) }
        if !record.body.isEmpty { request.body = .bytes(ByteBuffer(bytes: record.body)) }
        let start = ContinuousClock.now
        let amount = TimeAmount.nanoseconds(
            Int64(timeout.components.seconds) * 1_000_000_000 + timeout.components.attoseconds / 1_000_000_000)
        do {
            let response = try await client.execute(request, timeout: amount)
            let body = try await response.body.collect(upTo: bodyLimit)
            let data = Data(body.readableBytesView)
            let elapsed = ContinuousClock.now - start
            return HTTPResponseRecord(
                status: Int(response.status.code),
                headers: response.headers.map { ($0.name, $0.value) },
                body: data,
                seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        } catch {
            throw HTTPFailure(description: Self.reason(error, timeout: timeout, url: record.url))
        }
    }

    /// A reason a person can act on, for the errors AsyncHTTPClient and NIO throw.
    static func reason(_ error: Error, timeout: Duration, url: String) -> String {
        let text = String(describing: error)
        if let e = error as? HTTPClientError {
            switch e {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout:
                return
                    "no response within \(Format.duration(Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18))"
            case .remoteConnectionClosed: return "the server closed the connection without a response"
            case .bodyLengthMismatch: return "the response body was shorter or longer than its Content-Length"
            case .invalidURL, .emptyHost, .emptyScheme:
                return "'\(url)' is not a URL greenlight can request (\(e))"
            default: break
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
        if let e = error as? NIOSSLError { return "TLS handshake failed: \(e)" }
        if let e = error as? BoringSSLError { return "TLS handshake failed: \(e)" }
        if text.contains("certificate") || text.contains("handshake") { return "TLS handshake failed: \(text)" }
        if text.contains("DNS") || text.contains("dns") || text.contains("resolve") {
            return "the host does not resolve (\(text))"
        }
        return "request failed: \(text)"
    }
}
