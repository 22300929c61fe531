import NIOCore
import NIOPosix

/// A listener on 127.0.0.1 that accepts TCP connections and stalls a TLS client's handshake: it
/// never answers, or answers the ClientHello with garbage and then says nothing more. Connections
/// stay open until ``shutdown()``.
public final class TLSStallListener: Sendable {
    /// How it answers a ClientHello.
    public enum Behaviour: Sendable {
        /// Never: reads what comes and writes nothing.
        case silent
        /// With the header of a TLS handshake record announcing 16 KiB, followed by a few bytes of
        /// garbage, then nothing more: the client waits for the rest of the record.
        case garbage
        /// With bytes that are not TLS at all (an HTTP error), then nothing more: the client gives up at once.
        case notTLS
    }

    /// The port it listens on.
    public let port: Int
    /// How many connections it accepted, and how many of those sent it something (a ClientHello).
    public let counts = LockBox((accepted: 0, spoke: 0))
    private let channel: Channel
    private let group: MultiThreadedEventLoopGroup

    /// Starts listening on a free port, on a thread of its own.
    public init(_ behaviour: Behaviour) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let counts = counts
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { child in
                    child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.addHandler(
                            StallHandler(behaviour: behaviour, counts: counts))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        self.group = group
        port = channel.localAddress!.port!
    }

    /// Stops listening, closes every connection and ends the listener's thread.
    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// Answers the first bytes of a connection as the listener's behaviour says, once.
/// `@unchecked Sendable`: confined to its channel's event loop.
private final class StallHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let behaviour: TLSStallListener.Behaviour
    private let counts: LockBox<(accepted: Int, spoke: Int)>
    private var answered = false

    init(behaviour: TLSStallListener.Behaviour, counts: LockBox<(accepted: Int, spoke: Int)>) {
        self.behaviour = behaviour
        self.counts = counts
    }

    func channelActive(context: ChannelHandlerContext) {
        counts.withValue { $0.accepted += 1 }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !answered else { return }
        answered = true
        counts.withValue { $0.spoke += 1 }
        var answer = context.channel.allocator.buffer(capacity: 64)
        switch behaviour {
        case .silent:
            return
        case .garbage:
            // Content type 22 (handshake), TLS 1.2, length 0x4000; then a little of that "record".
            answer.writeBytes([0x16, 0x03, 0x03, 0x40, 0x00])
            answer.writeString("garbage, not a ServerHello")
        case .notTLS:
            answer.writeString("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        }
        context.writeAndFlush(wrapOutboundOut(answer), promise: nil)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
