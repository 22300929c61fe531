import Foundation
import GreenlightHTTP
import NIOCore
import NIOPosix
import NIOSSL

extension Probe {
    /// Opens a TCP connection to `target` within the time left, with the handlers `initializer` adds.
    func connect(
        to target: HostPort, initializer: (@Sendable (Channel) -> EventLoopFuture<Void>)? = nil
    ) async throws -> Channel {
        progress.target = target.description
        progress.phase = "connecting to \(target)"
        if target.isInvalidName {
            throw ProbeFailure(reason: "host does not resolve: \(target.host) (NXDOMAIN, a name under .invalid)")
        }
        var bootstrap = ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(timeLeft)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
        if let initializer { bootstrap = bootstrap.channelInitializer(initializer) }
        return try await bootstrap.connect(host: target.host, port: target.port).get()
    }

    /// Runs `body` with `channel`, closing the channel when the probe is cancelled (its deadline
    /// passed) and when `body` is done.
    func using<T: Sendable>(_ channel: Channel, _ body: () async throws -> T) async throws -> T {
        defer { channel.close(promise: nil) }
        return try await withTaskCancellationHandler {
            try await body()
        } onCancel: {
            channel.close(promise: nil)
        }
    }

    /// The reason behind an error of a connection, worded for a summary.
    func describe(_ error: any Error) -> String {
        let target = progress.target
        switch error {
        case let failure as ProbeFailure:
            return failure.reason
        case is CancellationError:
            return timeoutReason
        case let error as NIOConnectionError:
            if let refused = error.connectionErrors.first(where: { ($0.error as? IOError)?.errnoCode == ECONNREFUSED })
            {
                return describe(refused.error)
            }
            if let first = error.connectionErrors.first { return describe(first.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil {
                return "host does not resolve: \(error.host)"
            }
            return "could not connect to \(target)"
        case let error as IOError:
            return describe(errno: error.errnoCode)
        case let error as ChannelError:
            switch error {
            case .connectTimeout: return timeoutReason
            case .eof, .ioOnClosedChannel, .alreadyClosed, .inputClosed, .outputClosed:
                return "connection closed by \(target) while \(progress.phase)"
            default: return "connection to \(target) failed: \(error)"
            }
        case let error as SocketAddressError:
            if case .unknown(let host, _) = error { return "host does not resolve: \(host)" }
            return "bad address \(target): \(error)"
        case let error as NIOSSLError:
            return "TLS handshake with \(target) failed: \(TLSErrorText.reason(error))"
        default:
            return "\(String(describing: error)) while \(progress.phase)"
        }
    }

    func describe(errno code: Int32) -> String {
        let target = progress.target
        switch code {
        case ECONNREFUSED: return "connection refused by \(target)"
        case ETIMEDOUT: return "timed out connecting to \(target) (the network gave up)"
        case ENETUNREACH: return "network unreachable for \(target)"
        case EHOSTUNREACH: return "host unreachable: \(target)"
        case ECONNRESET: return "connection reset by \(target) while \(progress.phase)"
        case EPIPE: return "connection closed by \(target) while \(progress.phase)"
        default: return "cannot connect to \(target): \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}
