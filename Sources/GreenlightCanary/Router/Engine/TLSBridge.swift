#if os(Linux)
import Glibc
import NIOCore
import NIOPosix
import NIOSSL

/// TLS to an HTTPS upstream, for the router's loops (which speak plain bytes): one end of a socket pair is
/// an ``UpstreamConnection`` on a loop, the other a NIO channel here, glued to a TLS connection to the
/// upstream. The first byte the loop reads says whether the TCP connection was made (``connected``),
/// timed out or failed; after it, bytes flow both ways with back-pressure, and either side closing
/// closes both. A failed handshake or certificate check closes the pair: the request is answered 502.
enum TLSBridge {
    static let connected: UInt8 = 1
    static let failed: UInt8 = 0
    static let timedOut: UInt8 = 2

    static func open(
        descriptor: Int32, upstream: RouterUpstream, context: NIOSSLContext, group: any EventLoopGroup,
        connectTimeout: TimeAmount
    ) {
        let eventLoop = group.next()
        let local = Glue()
        let remote = Glue()
        local.partner = remote
        remote.partner = local
        ClientBootstrap(group: eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(local) }
            }
            .withConnectedSocket(descriptor)
            .whenComplete { result in
                guard case .success(let localChannel) = result else {
                    Glibc.close(descriptor)
                    return
                }
                ClientBootstrap(group: eventLoop)
                    .connectTimeout(connectTimeout)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            // SNI and the name check use the host, unless it is an IP address.
                            let isAddress = (try? SocketAddress(ipAddress: upstream.host, port: 0)) != nil
                            let sync = channel.pipeline.syncOperations
                            try sync.addHandler(
                                NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : upstream.host))
                            try sync.addHandler(remote)
                        }
                    }
                    .connect(host: upstream.host, port: upstream.port)
                    .whenComplete { result in
                        var status = ByteBuffer()
                        switch result {
                        case .success(let remoteChannel):
                            // The loop may have given up on this connection meanwhile (its timeout, a stop).
                            guard localChannel.isActive else {
                                remoteChannel.close(promise: nil)
                                return
                            }
                            status.writeInteger(connected)
                            localChannel.writeAndFlush(status, promise: nil)
                        case .failure(let error):
                            let timedOut: Bool
                            if case .connectTimeout = error as? ChannelError {
                                timedOut = true
                            } else {
                                timedOut = false
                            }
                            status.writeInteger(timedOut ? TLSBridge.timedOut : failed)
                            localChannel.writeAndFlush(status).whenComplete { _ in localChannel.close(promise: nil) }
                        }
                    }
            }
    }

    /// One side of the bridge: what it reads goes to its partner; it reads only while the partner can
    /// take more.
    private final class Glue: ChannelDuplexHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        var partner: Glue?
        private var context: ChannelHandlerContext?
        private var pendingRead = false

        func handlerAdded(context: ChannelHandlerContext) { self.context = context }

        func handlerRemoved(context: ChannelHandlerContext) {
            self.context = nil
            partner = nil
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            partner?.context?.write(data, promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) { partner?.context?.flush() }

        func channelInactive(context: ChannelHandlerContext) {
            partner?.context?.close(promise: nil)
            context.fireChannelInactive()
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) { context.close(promise: nil) }

        func channelWritabilityChanged(context: ChannelHandlerContext) {
            if context.channel.isWritable { partner?.resume() }
            context.fireChannelWritabilityChanged()
        }

        func read(context: ChannelHandlerContext) {
            if let partnerContext = partner?.context, !partnerContext.channel.isWritable {
                pendingRead = true
            } else {
                context.read()
            }
        }

        private func resume() {
            guard pendingRead, let context else { return }
            pendingRead = false
            context.read()
        }
    }
}
#endif
