import GreenlightCore
import NIOCore
import NIOHTTP1

/// One client connection: picks the arm per request, forwards the request to a pooled upstream
/// connection and the response back, streaming both bodies. A side's reads are held while the other
/// side cannot take more, so a large body never piles up in memory.
final class ProxyServerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private struct Exchange {
        var arm: RouterArm
        var request: HTTPRequestHead
        var upstreamHead: HTTPRequestHead
        var keepAlive: Bool
        var started: NIODeadline
        var idempotent: Bool
        var requestEnded = false
        var requestEndSent = false
        var bodySent = false
        var responseHeadSent = false
        var status = 0
        var retried = false
        var reused = false
        /// The client asked to switch protocols (`Upgrade`), and the upstream has answered 101.
        var upgrade: String?
        var tunnel = false
        var pending: [HTTPClientRequestPart] = []
    }

    private let core: RouterCore
    private var context: ChannelHandlerContext?
    private var exchange: Exchange?
    private var upstream: UpstreamHandler?
    private var heldRead = false
    private var upstreamNeedsFlush = false
    private var timer: Scheduled<Void>?
    private var lastUpstreamActivity = NIODeadline.now()
    private var clientIP: String?

    init(core: RouterCore) { self.core = core }

    var clientWritable: Bool { context?.channel.isWritable ?? false }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        clientIP = context.channel.remoteAddress?.ipAddress
    }

    // MARK: client side

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            startExchange(head)
        case .body(let buffer):
            guard exchange != nil else { return }
            forward(.body(.byteBuffer(buffer)))
            exchange?.bodySent = true
        case .end(let trailers):
            guard exchange != nil else { return }
            exchange?.requestEnded = true
            forward(.end(trailers))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if upstreamNeedsFlush {
            upstreamNeedsFlush = false
            upstream?.flush()
        }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        if exchange != nil, !(upstream?.isWritable ?? false) {
            heldRead = true
        } else {
            context.read()
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { upstream?.resumeRead() }
        context.fireChannelWritabilityChanged()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent, exchange == nil {
            context.close(promise: nil)
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        timer = nil
        deadline = nil
        if let upstream {
            // The client left mid-exchange: the upstream connection is in an unknown state.
            upstream.exchange = nil
            upstream.close()
        }
        upstream = nil
        exchange = nil
        self.context = nil
        context.fireChannelInactive()
    }

    private func startExchange(_ head: HTTPRequestHead) {
        guard let context else { return }
        if ForwardingHeaders.headerBytes(head) > core.configuration.maxRequestHeaderBytes {
            respondLocally(.requestHeaderFieldsTooLarge, close: true)
            return
        }
        var upstreamHead = ForwardingHeaders.upstreamRequest(
            head, clientIP: clientIP, upstream: core.configuration.baseline)
        if head.headers[canonicalForm: "expect"].contains(where: { $0.lowercased() == "100-continue" }) {
            // Like nginx: the router says continue itself and the upstream gets the body without asking.
            upstreamHead.headers.remove(name: "expect")
            context.writeAndFlush(
                wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: .continue))), promise: nil)
        }
        let upgrade = head.headers.first(name: "upgrade")
        let wantsUpgrade =
            upgrade != nil && head.headers[canonicalForm: "connection"].contains { $0.lowercased() == "upgrade" }
        if wantsUpgrade, let upgrade {
            // Upgrade is hop-by-hop, but a tunnel passes it on (RFC 9110 §7.8).
            upstreamHead.headers.add(name: "Connection", value: "Upgrade")
            upstreamHead.headers.add(name: "Upgrade", value: upgrade)
        }
        let arm = core.chooseArm(head, clientIP: clientIP)
        let idempotent: Bool
        switch head.method {
        case .GET, .HEAD, .OPTIONS, .PUT, .DELETE, .TRACE: idempotent = true
        default: idempotent = false
        }
        exchange = Exchange(
            arm: arm, request: head, upstreamHead: upstreamHead, keepAlive: head.isKeepAlive,
            started: .now(), idempotent: idempotent)
        if wantsUpgrade { exchange?.upgrade = upgrade }
        exchange?.pending.append(.head(upstreamHead))
        connect(arm)
    }

    private func forward(_ part: HTTPClientRequestPart) {
        if let upstream {
            upstream.write(part)
            upstreamNeedsFlush = true
            if case .end = part {
                upstream.flush()
                upstreamNeedsFlush = false
                requestSent()
            }
        } else {
            exchange?.pending.append(part)
        }
    }

    private func requestSent() {
        exchange?.requestEndSent = true
        guard exchange?.responseHeadSent == false else { return }
        schedule(core.configuration.responseHeaderTimeout, headers: true)
    }

    private func connect(_ arm: RouterArm) {
        core.pool(arm, on: context!.eventLoop).acquire { [self] result in
            guard exchange != nil, context != nil else {
                if case .success(let lease) = result { lease.handler.pool?.release(lease.handler, reusable: true) }
                return
            }
            switch result {
            case .success(let lease):
                upstream = lease.handler
                lease.handler.exchange = self
                exchange!.arm = arm
                exchange!.reused = lease.reused
                let pending = exchange!.pending
                exchange!.pending = []
                var endSent = false
                for part in pending {
                    lease.handler.write(part)
                    if case .end = part { endSent = true }
                }
                lease.handler.flush()
                if endSent { requestSent() }
                if heldRead, lease.handler.isWritable {
                    heldRead = false
                    context?.read()
                }
            case .failure(let error):
                if exchange!.idempotent, !exchange!.retried, core.isHealthy(arm.other) {
                    exchange!.retried = true
                    connect(arm.other)
                    return
                }
                core.metrics.recordError(arm)
                let timedOut =
                    (error as? ChannelError).map { if case .connectTimeout = $0 { true } else { false } } ?? false
                respondLocally(timedOut ? .gatewayTimeout : .badGateway, close: !exchange!.requestEnded)
            }
        }
    }

    // MARK: upstream side (called by UpstreamHandler on the same event loop)

    func upstreamRead(_ part: HTTPClientResponsePart) {
        guard let context, exchange != nil else { return }
        lastUpstreamActivity = .now()
        switch part {
        case .head(let head) where head.status == .switchingProtocols && exchange!.upgrade != nil:
            exchange!.status = 101
            exchange!.responseHeadSent = true
            exchange!.tunnel = true
            timer?.cancel()
            timer = nil
            var headers = head.headers
            headers.add(name: "Via", value: "1.1 greenlight")
            headers.add(name: "X-Greenlight-Arm", value: exchange!.arm.rawValue)
            context.write(
                wrapOutboundOut(
                    .head(
                        HTTPResponseHead(
                            version: exchange!.request.version, status: .switchingProtocols, headers: headers))),
                promise: nil)
        case .end where exchange!.tunnel:
            startTunnel()
        case .head(let head):
            exchange!.status = Int(head.status.code)
            exchange!.responseHeadSent = true
            // An answer before the request's end: the rest of the request body has nowhere to go.
            exchange!.keepAlive = exchange!.keepAlive && exchange!.requestEnded
            let response = ForwardingHeaders.clientResponse(
                head, arm: exchange!.arm, keepAlive: exchange!.keepAlive, clientVersion: exchange!.request.version)
            context.write(wrapOutboundOut(.head(response)), promise: nil)
            schedule(core.configuration.idleTimeout, headers: false)
            upstreamKeepAlive = head.isKeepAlive
        case .body(let buffer):
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        case .end(let trailers):
            finishExchange(trailers)
        }
    }

    private var upstreamKeepAlive = true

    func upstreamReadComplete() { context?.flush() }

    func upstreamBecameWritable() {
        guard heldRead, let context else { return }
        heldRead = false
        context.read()
    }

    func upstreamFailed(_ error: Error, timedOut: Bool) {
        guard let context, let current = exchange else { return }
        upstream = nil
        timer?.cancel()
        timer = nil
        deadline = nil
        if !current.responseHeadSent {
            // A pooled connection the upstream had closed: try once more on a new one when nothing
            // but the head went out.
            if current.reused, current.idempotent, !current.bodySent, !timedOut, current.requestEnded {
                exchange!.reused = false
                exchange!.requestEndSent = false
                exchange!.pending = [.head(current.upstreamHead), .end(nil)]
                connect(current.arm)
                return
            }
            core.metrics.recordError(current.arm)
            respondLocally(timedOut ? .gatewayTimeout : .badGateway, close: !current.requestEnded || !current.keepAlive)
        } else {
            core.metrics.recordError(current.arm)
            exchange = nil
            context.close(promise: nil)
        }
    }

    private func finishExchange(_ trailers: HTTPHeaders?) {
        guard let context, let current = exchange else { return }
        deadline = nil
        let micros = UInt64(max(0, (NIODeadline.now() - current.started).nanoseconds / 1000))
        core.metrics.recordResponse(current.arm, status: current.status, microseconds: micros)
        let reusable = upstreamKeepAlive && current.requestEndSent
        if let upstream { upstream.pool?.release(upstream, reusable: reusable) }
        upstream = nil
        exchange = nil
        let close = !current.keepAlive || !current.requestEnded
        if close {
            context.writeAndFlush(wrapOutboundOut(.end(trailers))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(trailers)), promise: nil)
            if heldRead {
                heldRead = false
                context.read()
            }
        }
    }

    /// After a 101: both connections leave HTTP and become one byte stream; the upstream one leaves the pool.
    private func startTunnel() {
        guard let context, let current = exchange, let upstream, let upstreamChannel = upstream.channel else { return }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        core.metrics.recordResponse(
            current.arm, status: 101,
            microseconds: UInt64(max(0, (NIODeadline.now() - current.started).nanoseconds / 1000)))
        exchange = nil
        self.upstream = nil
        upstream.pool?.detach(upstream)
        let (clientEnd, upstreamEnd) = TunnelHandler.pair()
        do {
            let client = context.pipeline.syncOperations
            let server = upstreamChannel.pipeline.syncOperations
            try server.addHandler(upstreamEnd)
            server.removeHandler(name: "upstream", promise: nil)
            server.removeHandler(name: "http-encoder", promise: nil)
            try client.addHandler(clientEnd)
            for name in ["idle", "http-errors", "http-pipelining", "http-encoder"] {
                client.removeHandler(name: name, promise: nil)
            }
            let clientChannel = context.channel
            client.removeHandler(name: "proxy", promise: nil)
            // The decoders go last: bytes that came after the upgrade's head are passed on to the tunnel.
            server.removeHandler(name: "http-decoder", promise: nil)
            client.removeHandler(name: "http-decoder", promise: nil)
            upstreamChannel.read()
            clientChannel.read()
        } catch {
            upstreamChannel.close(promise: nil)
            context.close(promise: nil)
        }
    }

    private func respondLocally(_ status: HTTPResponseStatus, close: Bool) {
        guard let context else { return }
        let arm = exchange?.arm
        let version = exchange?.request.version ?? .http1_1
        let keepAlive = (exchange?.keepAlive ?? false) && !close
        if let arm { core.metrics.recordResponse(arm, status: Int(status.code), microseconds: 0) }
        exchange = nil
        timer?.cancel()
        timer = nil
        deadline = nil
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: "0")
        headers.add(name: "Via", value: "1.1 greenlight")
        if let arm { headers.add(name: "X-Greenlight-Arm", value: arm.rawValue) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: version, status: status, headers: headers))), promise: nil)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            if heldRead {
                heldRead = false
                context.read()
            }
        } else {
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        }
    }

    /// The response-header timeout (headers: true) or the idle timeout while the response streams. One
    /// scheduled task per connection at most: a request only moves the deadline, and the task, when it
    /// fires early, sleeps again until the current one (scheduling a task per request cost throughput).
    private func schedule(_ amount: TimeAmount, headers: Bool) {
        timeoutAmount = amount
        timeoutIsForHeaders = headers
        deadline = NIODeadline.now() + amount
        if timer == nil, let deadline { armTimer(at: deadline) }
    }

    private var deadline: NIODeadline?
    private var timeoutAmount = TimeAmount.zero
    private var timeoutIsForHeaders = true

    private func armTimer(at when: NIODeadline) {
        guard let context else { return }
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: when) { [self] in
            timer = nil
            guard exchange != nil, var due = deadline else { return }
            if !timeoutIsForHeaders { due = max(due, lastUpstreamActivity + timeoutAmount) }
            let now = NIODeadline.now()
            if now < due {
                armTimer(at: due)
                return
            }
            deadline = nil
            let upstream = self.upstream
            upstream?.exchange = nil
            upstream?.close()
            upstreamFailed(RouterError("upstream timed out"), timedOut: true)
        }
    }
}
