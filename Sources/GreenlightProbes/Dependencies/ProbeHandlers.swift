import NIOCore
import NIOSSL
import NIOTLS

/// Completes a promise once: with the peer's certificate when the TLS handshake completes, or
/// with the error that ended it.
final class TLSHandshakeWatcher: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    struct Handshake: Sendable {
        var certificate: NIOSSLCertificate?
        var version: TLSVersion?
    }

    private var promise: EventLoopPromise<Handshake>?

    init(promise: EventLoopPromise<Handshake>) { self.promise = promise }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case TLSUserEvent.handshakeCompleted = event {
            let ssl = try? context.pipeline.syncOperations.handler(type: NIOSSLClientHandler.self)
            complete(.success(Handshake(certificate: ssl?.peerCertificate, version: ssl?.tlsVersion)))
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        complete(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(.failure(ChannelError.eof))
        context.fireChannelInactive()
    }

    private func complete(_ result: Result<Handshake, any Error>) {
        guard let promise else { return }
        self.promise = nil
        promise.completeWith(result)
    }
}

/// Reads the first line the server sends, up to CRLF, and completes a promise with it.
final class ReplyLineReader: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    /// A longer first line is cut here: the server is not speaking the expected protocol.
    static let limit = 512

    private var promise: EventLoopPromise<String>?
    private var received: ByteBuffer?

    init(promise: EventLoopPromise<String>) { self.promise = promise }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        if received == nil {
            received = chunk
        } else {
            received!.writeBuffer(&chunk)
        }
        guard let received else { return }
        let view = received.readableBytesView
        if let cr = view.firstIndex(of: UInt8(ascii: "\r")) {
            complete(.success(String(decoding: view[..<cr], as: UTF8.self)))
        } else if let lf = view.firstIndex(of: UInt8(ascii: "\n")) {
            complete(.success(String(decoding: view[..<lf], as: UTF8.self)))
        } else if view.count >= Self.limit {
            complete(.success(String(decoding: view.prefix(Self.limit), as: UTF8.self)))
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        complete(.failure(error))
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        complete(.failure(ChannelError.eof))
        context.fireChannelInactive()
    }

    private func complete(_ result: Result<String, any Error>) {
        guard let promise else { return }
        self.promise = nil
        promise.completeWith(result)
    }
}
