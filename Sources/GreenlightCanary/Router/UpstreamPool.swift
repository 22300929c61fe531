import NIOCore
import NIOPosix
import NIOSSL

/// Keep-alive connections to one upstream, for one event loop: idle ones are reused, at most
/// `maxConnectionsPerLoop` are open and further requests wait for one. Only its event loop touches it.
final class UpstreamPool: @unchecked Sendable {
    struct Lease {
        var handler: UpstreamHandler
        var reused: Bool
    }
    typealias Callback = (Result<Lease, Error>) -> Void

    let arm: RouterArm
    let eventLoop: any EventLoop
    unowned let core: RouterCore
    private var idle: [UpstreamHandler] = []
    private var open = 0
    private var waiters = CircularBuffer<Callback>()

    init(arm: RouterArm, eventLoop: any EventLoop, core: RouterCore) {
        self.arm = arm
        self.eventLoop = eventLoop
        self.core = core
    }

    /// An idle connection, if one is open: the common case, without a callback.
    func takeIdle() -> UpstreamHandler? {
        while let handler = idle.popLast() {
            if handler.isUsable { return handler }
        }
        return nil
    }

    func acquire(_ callback: @escaping Callback) {
        while let handler = idle.popLast() {
            if handler.isUsable {
                callback(.success(Lease(handler: handler, reused: true)))
                return
            }
        }
        if open < core.configuration.maxConnectionsPerLoop {
            connect(callback)
        } else {
            waiters.append(callback)
        }
    }

    /// Hands a connection back after an exchange: kept (or given to a waiter) when `reusable`, else closed.
    func release(_ handler: UpstreamHandler, reusable: Bool) {
        handler.exchange = nil
        guard reusable, handler.isUsable else {
            handler.close()
            return
        }
        if let waiter = waiters.popFirst() {
            waiter(.success(Lease(handler: handler, reused: true)))
        } else if idle.count < core.configuration.maxIdlePerLoop {
            idle.append(handler)
        } else {
            handler.close()
        }
    }

    /// The connection leaves the pool for good (it became an Upgrade tunnel).
    func detach(_ handler: UpstreamHandler) {
        open -= 1
        handler.pool = nil
        handler.exchange = nil
        if let waiter = waiters.popFirst() { connect(waiter) }
    }

    /// Called once per connection, when it closes.
    func connectionClosed(_ handler: UpstreamHandler) {
        open -= 1
        if let index = idle.firstIndex(where: { $0 === handler }) { idle.remove(at: index) }
        if let waiter = waiters.popFirst() { connect(waiter) }
    }

    private func connect(_ callback: @escaping Callback) {
        open += 1
        let upstream = core.configuration.upstream(arm)
        let arm = self.arm
        let core = self.core
        ClientBootstrap(group: eventLoop)
            .connectTimeout(core.configuration.connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.autoRead, value: true)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if upstream.tls, let tls = core.tlsContext {
                        // SNI and the name check use the host, unless it is an IP address.
                        let isAddress = (try? SocketAddress(ipAddress: upstream.host, port: 0)) != nil
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: tls, serverHostname: isAddress ? nil : upstream.host))
                    }
                    try channel.pipeline.syncOperations.addHandler(UpstreamHandler(), name: "upstream")
                }
            }
            .connect(host: upstream.host, port: upstream.port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    core.connectSucceeded(arm)
                    core.metrics.recordConnectionOpened(arm)
                    guard let handler = try? channel.pipeline.syncOperations.handler(type: UpstreamHandler.self) else {
                        self.open -= 1
                        channel.close(promise: nil)
                        callback(.failure(RouterError("upstream pipeline missing")))
                        return
                    }
                    handler.pool = self
                    callback(.success(Lease(handler: handler, reused: false)))
                case .failure(let error):
                    self.open -= 1
                    core.connectFailed(arm)
                    callback(.failure(error))
                    if let waiter = self.waiters.popFirst() { self.connect(waiter) }
                }
            }
    }
}

/// The upstream end of an exchange, as bytes: passes what the upstream says to the client side, and holds
/// its reads while the client cannot take more (back-pressure).
final class UpstreamHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    weak var pool: UpstreamPool?
    var exchange: ProxyServerHandler?
    private var context: ChannelHandlerContext?
    private var heldRead = false
    private var closed = false

    /// Open until it closes (its own `closed` flag: asking the channel costs reference counting per request).
    var isUsable: Bool { !closed && context != nil }
    /// The channel's writability, kept from its events for the same reason.
    private(set) var isWritable = true

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if let exchange {
            exchange.upstreamRead(unwrapInboundIn(data))
        } else {
            // Nothing was asked: an idle connection that speaks is not one to reuse.
            close()
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) { exchange?.upstreamReadComplete() }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        isWritable = context.channel.isWritable
        if isWritable { exchange?.upstreamBecameWritable() }
        context.fireChannelWritabilityChanged()
    }

    func read(context: ChannelHandlerContext) {
        if let exchange, !exchange.clientWritable {
            heldRead = true
        } else {
            context.read()
        }
    }

    func resumeRead() {
        guard heldRead, let context else { return }
        heldRead = false
        context.read()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) { context.close(promise: nil) }

    func channelInactive(context: ChannelHandlerContext) {
        closed = true
        isWritable = false
        let exchange = self.exchange
        self.exchange = nil
        pool?.connectionClosed(self)
        pool = nil
        exchange?.upstreamClosed()
        context.fireChannelInactive()
    }

    func write(_ bytes: ByteBuffer) {
        context?.write(wrapOutboundOut(bytes), promise: nil)
    }

    func flush() { context?.flush() }

    func close() {
        guard !closed else { return }
        closed = true
        context?.close(promise: nil)
    }
}
