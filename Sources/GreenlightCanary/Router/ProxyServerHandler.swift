import GreenlightCore
import NIOCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One client connection, as bytes: reads each request head, picks the arm, sends the rewritten head and
/// the body (as it came) to a pooled upstream connection, and the response back the same way. Only the
/// heads are parsed; bodies are followed by their framing, never decoded. A side's reads are held while
/// the other side cannot take more, so a large body never piles up in memory.
///
/// A client usually sends the same head again and again, and an upstream answers with the same head
/// (or one whose `Date` changed): the last head of each kind and its rewriting are kept, and one
/// comparison stands in for reading it again.
final class ProxyServerHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct Exchange {
        var arm: RouterArm
        var request: RequestHeadInfo
        var upstreamHead: ByteBuffer
        var started: NIODeadline
        var requestBody: BodyReader
        var keepAlive: Bool
        var requestEnded = false
        var requestEndSent = false
        var bodySent = false
        var retried = false
        var reused = false
        /// Body bytes for the upstream that came before a connection was there (the head is `upstreamHead`).
        var pending: [ByteBuffer] = []
        var responseHeadSent = false
        var response = ResponseHeadInfo()
        var responseBody = BodyReader(.none)
    }

    private struct RequestCache {
        var raw: [UInt8]
        var upstreamHead: ByteBuffer
        var info: RequestHeadInfo
        /// The sticky key's bucket, 1…100 (nil: the key is the client's address).
        var bucket: Int?
    }

    private struct ResponseCache {
        var raw: [UInt8]
        var arm: RouterArm
        var request: RequestHeadInfo
        var keepClient: Bool
        var clientHead: ByteBuffer
        var info: ResponseHeadInfo
    }

    private let core: RouterCore
    private var context: ChannelHandlerContext?
    private var exchange: Exchange?
    private var upstream: UpstreamHandler?
    private var pools: (baseline: UpstreamPool, canary: UpstreamPool)?
    private var rewriter = HeadRewriter()
    private var requestCache: RequestCache?
    private var responseCache: ResponseCache?
    /// A request head that came in parts, and how much of it was searched for its end.
    private var partialHead: ByteBuffer?
    private var partialScanned = 0
    /// A response head that came in parts.
    private var partialResponse: ByteBuffer?
    /// Bytes after the current request's end (a pipelined request): read once the exchange is over.
    private var stash: ByteBuffer?
    private var tunnel = false
    private var closing = false
    private var heldRead = false
    private var upstreamNeedsFlush = false
    private var timer: Scheduled<Void>?
    private var lastUpstreamActivity = NIODeadline.now()
    private var clientIP: String?
    private var ipBucket: Int?
    private var xff = "unknown"
    private var forwarded = "for=unknown"
    private let stickyHeader: [UInt8]?
    private let stickyCookie: [UInt8]?
    private let defaultHost: String

    init(core: RouterCore) {
        self.core = core
        switch core.configuration.stickiness {
        case .clientIP:
            stickyHeader = nil
            stickyCookie = nil
        case .header(let name):
            stickyHeader = Array(name.utf8)
            stickyCookie = nil
        case .cookie(let name):
            stickyHeader = nil
            stickyCookie = Array(name.utf8)
        }
        let baseline = core.configuration.baseline
        defaultHost =
            baseline.host.contains(":") ? "[\(baseline.host)]:\(baseline.port)" : "\(baseline.host):\(baseline.port)"
    }

    /// The client channel's writability, kept from its events (asking the channel costs reference counting).
    private(set) var clientWritable = true

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        clientIP = context.channel.remoteAddress?.ipAddress
        xff = clientIP ?? "unknown"
        forwarded = ForwardingHeaders.forwardedNode(clientIP)
        pools = (core.pool(.baseline, on: context.eventLoop), core.pool(.canary, on: context.eventLoop))
        schedule(core.configuration.idleTimeout, .clientIdle)
    }

    // MARK: client side

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        if closing { return }
        if tunnel {
            upstream?.write(buffer)
            upstreamNeedsFlush = true
            return
        }
        if stash != nil {
            stash!.writeBuffer(&buffer)
            return
        }
        process(&buffer)
    }

    /// Reads requests from `buffer`: heads start exchanges, body bytes go to the upstream, and bytes past
    /// the current request's end wait in the stash.
    private func process(_ buffer: inout ByteBuffer) {
        while buffer.readableBytes > 0, !closing, !tunnel {
            if exchange == nil {
                guard let head = takeHead(&buffer) else { return }
                startExchange(head)
                continue
            }
            if exchange!.requestEnded {
                stash = buffer
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                return
            }
            let taken: Int
            do {
                taken = try buffer.withUnsafeReadableBytes { raw throws(BodyReader.FramingError) in
                    try exchange!.requestBody.consume(raw)
                }
            } catch {
                requestFailed(400)
                return
            }
            if taken > 0 {
                forward(buffer.readSlice(length: taken)!)
                exchange!.bodySent = true
                if deadlineKind == .requestBody { lastClientActivity = .now() }
            }
            if exchange!.requestBody.isComplete { requestEnded() }
        }
    }

    /// The head at the front of `buffer` when it is all there (it is taken out), else nil (the bytes are
    /// kept for the next read). Too large: answered 431.
    private func takeHead(_ buffer: inout ByteBuffer) -> ByteBuffer? {
        if partialHead == nil {
            // Blank lines before a request line are ignored (RFC 9112 §2.2).
            while let first = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self), first == 0x0D || first == 0x0A
            {
                buffer.moveReaderIndex(forwardBy: 1)
            }
            if buffer.readableBytes == 0 { return nil }
            if let end = Self.headEnd(buffer, from: 0) {
                guard end <= core.configuration.maxRequestHeaderBytes else {
                    requestFailed(431)
                    return nil
                }
                return buffer.readSlice(length: end)
            }
            partialScanned = max(0, buffer.readableBytes - 3)
            partialHead = buffer
            buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        } else {
            partialHead!.writeBuffer(&buffer)
            if let end = Self.headEnd(partialHead!, from: partialScanned) {
                var whole = partialHead!
                partialHead = nil
                guard end <= core.configuration.maxRequestHeaderBytes else {
                    requestFailed(431)
                    return nil
                }
                let head = whole.readSlice(length: end)!
                buffer = whole
                return head
            }
            partialScanned = max(0, partialHead!.readableBytes - 3)
        }
        if partialHead!.readableBytes > core.configuration.maxRequestHeaderBytes {
            partialHead = nil
            requestFailed(431)
        }
        return nil
    }

    /// Whether `buffer` holds the bytes of a cached head: one comparison for a whole head.
    static func same(_ cached: [UInt8], _ buffer: ByteBuffer) -> Bool {
        buffer.withUnsafeReadableBytes { raw in
            cached.count == raw.count
                && cached.withUnsafeBytes { memcmp($0.baseAddress!, raw.baseAddress!, raw.count) == 0 }
        }
    }

    /// The length of the head at the front of `buffer` (through its blank line), searching from `from`.
    static func headEnd(_ buffer: ByteBuffer, from: Int) -> Int? {
        buffer.withUnsafeReadableBytes { raw -> Int? in
            guard let base = raw.baseAddress else { return nil }
            var i = from
            while i < raw.count {
                guard let found = memchr(base + i, 0x0A, raw.count - i) else { return nil }
                let lf = base.distance(to: UnsafeRawPointer(found))
                if lf >= 1, raw[lf - 1] == 0x0A { return lf + 1 }
                if lf >= 2, raw[lf - 1] == 0x0D, raw[lf - 2] == 0x0A { return lf + 1 }
                i = lf + 1
            }
            return nil
        }
    }

    private func startExchange(_ head: ByteBuffer) {
        guard let context else { return }
        var info: RequestHeadInfo
        var upstreamHead: ByteBuffer
        var bucket: Int?
        // (The cache is read in place: copying it out would retain and release each of its parts.)
        let cached = requestCache != nil && Self.same(requestCache!.raw, head)
        if cached {
            info = requestCache!.info
            upstreamHead = requestCache!.upstreamHead
            bucket = requestCache!.bucket
        } else {
            var out = context.channel.allocator.buffer(capacity: head.readableBytes + 160)
            do {
                info = try head.withUnsafeReadableBytes { raw throws(HeadRefusal) in
                    try rewriter.rewriteRequest(
                        raw, xff: xff, forwarded: forwarded, defaultHost: defaultHost, stickyHeader: stickyHeader,
                        stickyCookie: stickyCookie, into: &out)
                }
            } catch {
                requestFailed(error.status)
                return
            }
            upstreamHead = out
            bucket = info.stickyKey.map { StickyBucket.bucket(group: core.configuration.group, key: $0) }
            requestCache = RequestCache(
                raw: head.withUnsafeReadableBytes { Array($0) }, upstreamHead: out, info: info, bucket: bucket)
        }
        if info.expectContinue, info.minorVersion == 1 {
            // Like nginx: the router says continue itself and the upstream gets the body without asking.
            context.writeAndFlush(
                wrapOutboundOut(ByteBuffer(staticString: "HTTP/1.1 100 Continue\r\n\r\n")), promise: nil)
        }
        if bucket == nil {
            if ipBucket == nil { ipBucket = StickyBucket.bucket(group: core.configuration.group, key: clientIP ?? "") }
            bucket = ipBucket
        }
        let arm = core.chooseArm(bucket: bucket!)
        deadline = nil
        let now = NIODeadline.now()
        exchange = Exchange(
            arm: arm, request: info, upstreamHead: upstreamHead, started: now,
            requestBody: BodyReader(info.framing), keepAlive: info.keepAlive)
        if exchange!.requestBody.isComplete {
            exchange!.requestEnded = true
        } else {
            // A body that stops coming must not hold both connections: silence for the idle timeout ends it.
            lastClientActivity = now
            schedule(core.configuration.idleTimeout, .requestBody, now: now)
        }
        connect(arm)
    }

    private func forward(_ bytes: ByteBuffer) {
        if let upstream {
            upstream.write(bytes)
            upstreamNeedsFlush = true
        } else {
            exchange?.pending.append(bytes)
        }
    }

    private func requestEnded() {
        exchange!.requestEnded = true
        if let upstream {
            upstream.flush()
            upstreamNeedsFlush = false
            requestSent()
        }
    }

    private func requestSent() {
        exchange!.requestEndSent = true
        guard !exchange!.responseHeadSent else { return }
        // A request without a body ends as it starts: no need to read the clock again.
        let now = exchange!.bodySent ? NIODeadline.now() : exchange!.started
        schedule(core.configuration.responseHeaderTimeout, .responseHead, now: now)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if upstreamNeedsFlush {
            upstreamNeedsFlush = false
            upstream?.flush()
        }
        context.fireChannelReadComplete()
    }

    /// Reads wait while the connection closes, while a pipelined request waits its turn, and while the
    /// upstream cannot take more (or is not there yet).
    private var readsHeld: Bool {
        closing || stash != nil || ((exchange != nil || tunnel) && !(upstream?.isWritable ?? false))
    }

    func read(context: ChannelHandlerContext) {
        if readsHeld {
            heldRead = true
        } else {
            context.read()
        }
    }

    private func resumeRead() {
        guard heldRead, let context, !readsHeld else { return }
        heldRead = false
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        clientWritable = context.channel.isWritable
        if clientWritable { upstream?.resumeRead() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        clientWritable = false
        timer?.cancel()
        timer = nil
        deadline = nil
        if let upstream {
            // The client left mid-exchange (or the tunnel closed): the upstream connection cannot be reused.
            upstream.exchange = nil
            upstream.close()
        }
        upstream = nil
        exchange = nil
        stash = nil
        partialHead = nil
        partialResponse = nil
        self.context = nil
        context.fireChannelInactive()
    }

    private func connect(_ arm: RouterArm) {
        guard let pools else { return }
        let pool = arm == .baseline ? pools.baseline : pools.canary
        if let idle = pool.takeIdle() {
            attach(idle, arm: arm, reused: true)
            return
        }
        pool.acquire { [self] result in
            guard exchange != nil, context != nil else {
                if case .success(let lease) = result { lease.handler.pool?.release(lease.handler, reusable: true) }
                return
            }
            switch result {
            case .success(let lease):
                attach(lease.handler, arm: arm, reused: lease.reused)
            case .failure(let error):
                if exchange!.request.idempotent, !exchange!.retried, core.isHealthy(arm.other) {
                    exchange!.retried = true
                    connect(arm.other)
                    return
                }
                core.metrics.recordError(arm)
                let timedOut =
                    (error as? ChannelError).map { if case .connectTimeout = $0 { true } else { false } } ?? false
                respondLocally(timedOut ? 504 : 502, close: !exchange!.requestEnded)
            }
        }
    }

    /// The exchange gets its upstream connection: the head goes out, then any body bytes that waited.
    private func attach(_ handler: UpstreamHandler, arm: RouterArm, reused: Bool) {
        upstream = handler
        handler.exchange = self
        exchange!.arm = arm
        exchange!.reused = reused
        handler.write(exchange!.upstreamHead)
        if !exchange!.pending.isEmpty {
            for bytes in exchange!.pending { handler.write(bytes) }
            exchange!.pending.removeAll()
        }
        handler.flush()
        upstreamNeedsFlush = false
        if exchange!.requestEnded { requestSent() }
        resumeRead()
    }

    // MARK: upstream side (called by UpstreamHandler on the same event loop)

    func upstreamRead(_ data: ByteBuffer) {
        guard let context else { return }
        var buffer = data
        if tunnel {
            context.write(wrapOutboundOut(buffer), promise: nil)
            return
        }
        guard exchange != nil else { return }
        if exchange!.responseHeadSent { lastUpstreamActivity = .now() }
        defer {
            // A response that goes on past this read: the upstream may now be silent for the idle timeout.
            if exchange?.responseHeadSent == true, deadlineKind != .upstreamIdle {
                lastUpstreamActivity = .now()
                schedule(core.configuration.idleTimeout, .upstreamIdle, now: lastUpstreamActivity)
            }
        }
        while buffer.readableBytes > 0 {
            if !exchange!.responseHeadSent {
                guard let head = takeResponseHead(&buffer) else { return }
                guard startResponse(head) else { return }
                if tunnel {
                    if buffer.readableBytes > 0 { context.write(wrapOutboundOut(buffer), promise: nil) }
                    return
                }
                // An interim answer (1xx) was dropped: the final head is still to come.
                if !exchange!.responseHeadSent { continue }
                if exchange!.responseBody.isComplete {
                    finishExchange(upstreamClean: buffer.readableBytes == 0)
                    return
                }
                continue
            }
            if exchange!.response.dechunk {
                var pieces: [Range<Int>] = []
                let taken: Int
                do {
                    taken = try buffer.withUnsafeReadableBytes { raw throws(BodyReader.FramingError) in
                        try exchange!.responseBody.consume(raw) { pieces.append($0) }
                    }
                } catch {
                    upstreamBroke()
                    return
                }
                writePendingClientHead()
                let start = buffer.readerIndex
                for piece in pieces where !piece.isEmpty {
                    context.write(
                        wrapOutboundOut(buffer.getSlice(at: start + piece.lowerBound, length: piece.count)!),
                        promise: nil)
                }
                buffer.moveReaderIndex(forwardBy: taken)
            } else {
                let taken: Int
                do {
                    taken = try buffer.withUnsafeReadableBytes { raw throws(BodyReader.FramingError) in
                        try exchange!.responseBody.consume(raw)
                    }
                } catch {
                    upstreamBroke()
                    return
                }
                writeClient(buffer.readSlice(length: taken)!)
            }
            if exchange!.responseBody.isComplete {
                finishExchange(upstreamClean: buffer.readableBytes == 0)
                return
            }
        }
    }

    /// The response head at the front of `buffer` when it is all there, else nil (kept for the next read).
    private func takeResponseHead(_ buffer: inout ByteBuffer) -> ByteBuffer? {
        if partialResponse != nil {
            partialResponse!.writeBuffer(&buffer)
            buffer = partialResponse!
            partialResponse = nil
        }
        if let end = Self.headEnd(buffer, from: 0) { return buffer.readSlice(length: end) }
        if buffer.readableBytes > 64 * 1024 {
            upstreamBroke()
            return nil
        }
        partialResponse = buffer
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return nil
    }

    /// Rewrites the upstream's head and sends it to the client; false when the exchange ended instead.
    private func startResponse(_ head: ByteBuffer) -> Bool {
        guard let context, exchange != nil else { return false }
        // An answer before the request's end: the rest of the request body has nowhere to go.
        let keepClient = exchange!.keepAlive && exchange!.requestEnded
        let arm = exchange!.arm
        var info: ResponseHeadInfo
        var clientHead: ByteBuffer
        let cached =
            responseCache != nil && responseCache!.arm == arm && responseCache!.keepClient == keepClient
            && responseCache!.request == exchange!.request && Self.same(responseCache!.raw, head)
        if cached {
            info = responseCache!.info
            clientHead = responseCache!.clientHead
        } else {
            var out = context.channel.allocator.buffer(capacity: head.readableBytes + 96)
            do {
                info = try head.withUnsafeReadableBytes { raw throws(HeadRefusal) in
                    try rewriter.rewriteResponse(
                        raw, request: exchange!.request, keepClient: keepClient, arm: arm, into: &out)
                }
            } catch {
                upstreamBroke()
                return false
            }
            clientHead = out
            responseCache = ResponseCache(
                raw: head.withUnsafeReadableBytes { Array($0) }, arm: arm, request: exchange!.request,
                keepClient: keepClient, clientHead: out, info: info)
        }
        if info.status < 200, !(info.status == 101 && exchange!.request.upgrade) {
            // An interim answer (100, 103): the router has said continue itself; wait for the final one.
            return true
        }
        exchange!.response = info
        exchange!.responseHeadSent = true
        exchange!.keepAlive = info.clientKeepAlive
        if info.status == 101 {
            context.write(wrapOutboundOut(clientHead), promise: nil)
            startTunnel()
            return true
        }
        exchange!.responseBody = BodyReader(info.framing)
        // The head goes out with the body's first bytes, in one write when they are few.
        pendingClientHead = clientHead
        return true
    }

    func upstreamReadComplete() {
        writePendingClientHead()
        context?.flush()
    }

    /// The client's response head, waiting for the first body bytes to share a write with.
    private var pendingClientHead: ByteBuffer?
    /// Head and small body pieces gathered into one buffer; written when unique, so it is reused.
    private var outBuffer = ByteBuffer()

    private func writePendingClientHead() {
        guard let head = pendingClientHead, let context else { return }
        pendingClientHead = nil
        context.write(wrapOutboundOut(head), promise: nil)
    }

    /// Writes body bytes to the client, joined with the pending head in one buffer when they are few.
    private func writeClient(_ bytes: ByteBuffer) {
        guard let context else { return }
        guard let head = pendingClientHead else {
            context.write(wrapOutboundOut(bytes), promise: nil)
            return
        }
        pendingClientHead = nil
        guard bytes.readableBytes <= 4096 else {
            context.write(wrapOutboundOut(head), promise: nil)
            context.write(wrapOutboundOut(bytes), promise: nil)
            return
        }
        outBuffer.clear()
        outBuffer.writeImmutableBuffer(head)
        outBuffer.writeImmutableBuffer(bytes)
        context.write(wrapOutboundOut(outBuffer), promise: nil)
    }

    func upstreamBecameWritable() { resumeRead() }

    /// The upstream connection closed: the end of a body framed by the close, else a failure.
    func upstreamClosed() {
        upstream = nil
        if tunnel {
            context?.close(promise: nil)
            return
        }
        if let current = exchange, current.responseHeadSent, current.responseBody.endsAtClose {
            finishExchange(upstreamClean: false)
            return
        }
        upstreamFailed(timedOut: false)
    }

    /// The upstream said something that is not HTTP: 502 if nothing went to the client yet, else a cut.
    private func upstreamBroke() {
        let upstream = self.upstream
        upstream?.exchange = nil
        upstream?.close()
        self.upstream = nil
        upstreamFailed(timedOut: false, retry: false)
    }

    private func upstreamFailed(timedOut: Bool, retry: Bool = true) {
        writePendingClientHead()
        guard let context, let current = exchange else { return }
        upstream = nil
        timer?.cancel()
        timer = nil
        deadline = nil
        if !current.responseHeadSent {
            // A pooled connection the upstream had closed: try once more on a new one when nothing but the
            // head went out.
            if retry, current.reused, current.request.idempotent, !current.bodySent, !timedOut, current.requestEnded {
                exchange!.reused = false
                exchange!.requestEndSent = false
                exchange!.pending = []
                partialResponse = nil
                connect(current.arm)
                return
            }
            core.metrics.recordError(current.arm)
            respondLocally(timedOut ? 504 : 502, close: !current.requestEnded || !current.keepAlive)
        } else {
            core.metrics.recordError(current.arm)
            exchange = nil
            closing = true
            context.flush()
            context.close(promise: nil)
        }
    }

    private func finishExchange(upstreamClean: Bool) {
        guard let context, exchange != nil else { return }
        writePendingClientHead()
        let now = NIODeadline.now()
        let micros = UInt64(max(0, (now - exchange!.started).nanoseconds / 1000))
        core.metrics.recordResponse(exchange!.arm, status: exchange!.response.status, microseconds: micros, now: now)
        let reusable = upstreamClean && exchange!.response.upstreamKeepAlive && exchange!.requestEndSent
        let keep = exchange!.keepAlive && exchange!.requestEnded
        if let upstream { upstream.pool?.release(upstream, reusable: reusable) }
        upstream = nil
        exchange = nil
        partialResponse = nil
        // The upstream's read-complete no longer reaches this handler once the connection is released.
        context.flush()
        if !keep {
            deadline = nil
            closeAfterFlush(context)
            return
        }
        schedule(core.configuration.idleTimeout, .clientIdle, now: now)
        if var pipelined = stash {
            stash = nil
            process(&pipelined)
            if pipelined.readableBytes > 0, stash == nil, !closing { stash = pipelined }
        }
        resumeRead()
    }

    /// After a 101: both connections leave HTTP and carry bytes; the upstream one leaves the pool.
    private func startTunnel() {
        guard let current = exchange, let upstream else { return }
        core.metrics.recordResponse(
            current.arm, status: 101,
            microseconds: UInt64(max(0, (NIODeadline.now() - current.started).nanoseconds / 1000)))
        timer?.cancel()
        timer = nil
        deadline = nil
        exchange = nil
        tunnel = true
        upstream.pool?.detach(upstream)
        upstream.exchange = self
        if var early = stash {
            stash = nil
            upstream.write(early)
            early.clear()
            upstream.flush()
        }
        resumeRead()
    }

    private func requestFailed(_ status: Int) {
        partialHead = nil
        respondLocally(status, close: true)
    }

    private func respondLocally(_ status: Int, close: Bool) {
        guard let context else { return }
        let arm = exchange?.arm
        let minor = exchange?.request.minorVersion ?? 1
        let keepAlive = (exchange?.keepAlive ?? false) && !close
        if let arm { core.metrics.recordResponse(arm, status: status, microseconds: 0) }
        if let upstream {
            upstream.exchange = nil
            upstream.close()
            self.upstream = nil
        }
        exchange = nil
        timer?.cancel()
        timer = nil
        deadline = nil
        var out = context.channel.allocator.buffer(capacity: 160)
        HeadRewriter.localResponse(status: status, minorVersion: minor, arm: arm, keepAlive: keepAlive, into: &out)
        if keepAlive {
            context.writeAndFlush(wrapOutboundOut(out), promise: nil)
            schedule(core.configuration.idleTimeout, .clientIdle)
            if var pipelined = stash {
                stash = nil
                process(&pipelined)
                if pipelined.readableBytes > 0, stash == nil, !closing { stash = pipelined }
            }
            resumeRead()
        } else {
            context.write(wrapOutboundOut(out), promise: nil)
            closeAfterFlush(context)
        }
    }

    private func closeAfterFlush(_ context: ChannelHandlerContext) {
        closing = true
        stash = nil
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(capacity: 0))).assumeIsolated()
            .whenComplete { _ in context.close(promise: nil) }
    }

    /// What the one deadline of a connection stands for.
    private enum Deadline {
        /// From the request's end to the response head.
        case responseHead
        /// Silence from the upstream while the response streams.
        case upstreamIdle
        /// Between requests (and before the first): the client's connection is closed.
        case clientIdle
        /// Silence from the client while its request body is due: answered 408, both connections closed.
        case requestBody
    }

    private var lastClientActivity = NIODeadline.now()

    /// One scheduled task per connection at most: a request only moves the deadline, and the task, when
    /// it fires early, sleeps again until the current one (scheduling a task per request cost throughput).
    private func schedule(_ amount: TimeAmount, _ kind: Deadline, now: NIODeadline = .now()) {
        timeoutAmount = amount
        deadlineKind = kind
        let due = now + amount
        deadline = due
        if let timer, due < timerAt {
            // Sooner than the task waits: only the response-head timeout after a long client idle one.
            timer.cancel()
            self.timer = nil
        }
        if timer == nil { armTimer(at: due) }
    }

    /// When the scheduled task runs.
    private var timerAt = NIODeadline.distantFuture

    private var deadline: NIODeadline?
    private var timeoutAmount = TimeAmount.zero
    private var deadlineKind = Deadline.clientIdle

    private func armTimer(at when: NIODeadline) {
        guard let context else { return }
        timerAt = when
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: when) { [self] in
            timer = nil
            guard var due = deadline, let context = self.context else { return }
            if deadlineKind == .upstreamIdle { due = max(due, lastUpstreamActivity + timeoutAmount) }
            if deadlineKind == .requestBody { due = max(due, lastClientActivity + timeoutAmount) }
            let now = NIODeadline.now()
            if now < due {
                armTimer(at: due)
                return
            }
            deadline = nil
            switch deadlineKind {
            case .clientIdle:
                if exchange == nil, !tunnel { context.close(promise: nil) }
            case .requestBody:
                guard exchange != nil, !exchange!.requestEnded else { return }
                if exchange!.responseHeadSent {
                    closing = true
                    upstream?.exchange = nil
                    upstream?.close()
                    upstream = nil
                    exchange = nil
                    context.close(promise: nil)
                } else {
                    respondLocally(408, close: true)
                }
            case .responseHead, .upstreamIdle:
                guard exchange != nil else { return }
                let upstream = self.upstream
                upstream?.exchange = nil
                upstream?.close()
                self.upstream = nil
                upstreamFailed(timedOut: true)
            }
        }
    }
}
