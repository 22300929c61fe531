#if os(Linux)
import CGreenlightEpoll
import GreenlightCore
import Glibc
import NIOCore

/// One client connection, as bytes: reads each request head, picks the arm, sends the rewritten head and
/// the body (as it came) to a pooled upstream connection, and the response back the same way. Only the
/// heads are parsed; bodies are followed by their framing, never decoded. A side's reads are held while
/// the other side cannot take more, so a large body never piles up in memory.
///
/// A client usually sends the same head again and again, and an upstream answers with the same head
/// (or one whose `Date` changed): the last head of each kind and its rewriting are kept, and one
/// comparison stands in for reading it again.
final class ClientConnection: Endpoint {

    struct Exchange {
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

    struct RequestCache {
        var raw: [UInt8]
        var upstreamHead: ByteBuffer
        var info: RequestHeadInfo
        /// The sticky key's position, 1…10000 (nil: the key is the client's address).
        var bucket: Int?
    }

    struct ResponseCache {
        var raw: [UInt8]
        var arm: RouterArm
        var request: RequestHeadInfo
        var keepClient: Bool
        var clientHead: ByteBuffer
        var info: ResponseHeadInfo
    }

    let core: RouterCore
    var exchange: Exchange?
    var upstream: UpstreamConnection?
    var requestCache: RequestCache?
    var responseCache: ResponseCache?
    /// A request head that came in parts, and how much of it was searched for its end.
    var partialHead: ByteBuffer?
    var partialScanned = 0
    /// A response head that came in parts.
    var partialResponse: ByteBuffer?
    /// Bytes after the current request's end (a pipelined request): read once the exchange is over.
    var stash: ByteBuffer?
    var tunnel = false
    var closing = false
    var upstreamNeedsFlush = false
    /// A close waits for the last bytes to go out.
    var closeWhenDrained = false
    var lastUpstreamActivity = NIODeadline.now()
    let clientIP: String?
    var ipBucket: Int?
    var xff = "unknown"
    var forwarded = "for=unknown"
    let stickyHeader: [UInt8]?
    let stickyCookie: [UInt8]?
    let defaultHost: String
    /// The client's response head, waiting for the first body bytes to share a write with.
    var pendingClientHead: ByteBuffer?
    var lastClientActivity = NIODeadline.now()
    var deadline: NIODeadline?
    var timeoutAmount = TimeAmount.zero
    var deadlineKind = Deadline.clientIdle

    init(loop: RouterLoop, fd: Int32, address: String?) {
        core = loop.core
        clientIP = address
        xff = address ?? "unknown"
        forwarded = ForwardingHeaders.forwardedNode(address)
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
        super.init(loop: loop, fd: fd)
    }

    /// Registered on its loop: the idle timeout runs until the first request.
    func started() {
        schedule(core.configuration.idleTimeout, .clientIdle)
    }

    // MARK: client side

    override func readable() {
        if readsHeld, !writeFailed {
            readReady = true
            return
        }
        guard let count = readOnce() else { return }
        if count == 0 {
            close()
            return
        }
        var buffer = loop.readBuffer
        if closing { return }
        if tunnel {
            upstream?.write(buffer)
            upstream?.flush()
            if readReady { loop.queueRead(self) }
            return
        }
        process(&buffer)
        if upstreamNeedsFlush {
            upstreamNeedsFlush = false
            upstream?.flush()
        }
        if readReady { loop.queueRead(self) }
    }

    /// Reads requests from `buffer`: heads start exchanges, body bytes go to the upstream, and bytes past
    /// the current request's end wait in the stash.
    func process(_ buffer: inout ByteBuffer) {
        while buffer.readableBytes > 0, !closing, !tunnel {
            if exchange == nil {
                guard let head = takeHead(&buffer) else { return }
                startExchange(head)
                continue
            }
            if exchange!.requestEnded {
                stash = own(buffer)
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
    func takeHead(_ buffer: inout ByteBuffer) -> ByteBuffer? {
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
            partialHead = own(buffer)
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

    func startExchange(_ head: ByteBuffer) {
        guard !closed else { return }
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
            var out = loop.allocator.buffer(capacity: head.readableBytes + 160)
            do {
                info = try head.withUnsafeReadableBytes { raw throws(HeadRefusal) in
                    try loop.rewriter.rewriteRequest(
                        raw, xff: xff, forwarded: forwarded, defaultHost: defaultHost, stickyHeader: stickyHeader,
                        stickyCookie: stickyCookie, into: &out)
                }
            } catch {
                requestFailed(error.status)
                return
            }
            upstreamHead = out
            bucket = info.stickyKey.map { StickyBucket.position(group: core.configuration.group, key: $0) }
            requestCache = RequestCache(
                raw: head.withUnsafeReadableBytes { Array($0) }, upstreamHead: out, info: info, bucket: bucket)
        }
        if info.expectContinue, info.minorVersion == 1 {
            // Like nginx: the router says continue itself and the upstream gets the body without asking.
            write(ByteBuffer(staticString: "HTTP/1.1 100 Continue\r\n\r\n"))
            flush()
        }
        if bucket == nil {
            if ipBucket == nil {
                ipBucket = StickyBucket.position(group: core.configuration.group, key: clientIP ?? "")
            }
            bucket = ipBucket
        }
        let arm = core.chooseArm(position: bucket!)
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

    func forward(_ bytes: ByteBuffer) {
        if let upstream {
            upstream.write(bytes)
            upstreamNeedsFlush = true
        } else {
            exchange?.pending.append(own(bytes))
        }
    }

    func requestEnded() {
        exchange!.requestEnded = true
        if let upstream {
            upstream.flush()
            upstreamNeedsFlush = false
            if exchange != nil { requestSent() }
        }
    }

    func requestSent() {
        exchange!.requestEndSent = true
        guard !exchange!.responseHeadSent else { return }
        // A request without a body ends as it starts: no need to read the clock again.
        let now = exchange!.bodySent ? NIODeadline.now() : exchange!.started
        schedule(core.configuration.responseHeaderTimeout, .responseHead, now: now)
    }

    /// Reads wait while the connection closes, while a pipelined request waits its turn, and while the
    /// upstream cannot take more (or is not there yet).
    var readsHeld: Bool {
        closing || stash != nil || ((exchange != nil || tunnel) && !(upstream?.isWritable ?? false))
    }

    func resumeRead() {
        guard !readsHeld else { return }
        resumeReading()
    }

    /// What was written to the client went out: the upstream may read again (or the connection close).
    override func drained() {
        if closeWhenDrained {
            close()
            return
        }
        upstream?.resumeReading()
    }

    override func didClose() {
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
        pendingClientHead = nil
    }

    func connect(_ arm: RouterArm) {
        let pool = loop.pool(arm)
        if let idle = pool.takeIdle() {
            attach(idle, arm: arm, reused: true)
            return
        }
        pool.acquire { [self] result in
            guard exchange != nil, !closed else {
                if case .success(let lease) = result {
                    lease.connection.pool?.release(lease.connection, reusable: true)
                }
                return
            }
            switch result {
            case .success(let lease):
                attach(lease.connection, arm: arm, reused: lease.reused)
            case .failure(let failure):
                if exchange!.request.idempotent, !exchange!.retried, core.isHealthy(arm.other) {
                    // The user is served by the other arm, but this arm failed them: its numbers say so
                    // (a 502 on this arm), or a canary that died would look like one without traffic.
                    core.metrics.recordResponse(arm, status: 502, microseconds: 0)
                    exchange!.retried = true
                    connect(arm.other)
                    return
                }
                core.metrics.recordError(arm)
                let timedOut: Bool
                if case .timedOut = failure { timedOut = true } else { timedOut = false }
                respondLocally(timedOut ? 504 : 502, close: !exchange!.requestEnded)
            }
        }
    }

    /// The exchange gets its upstream connection: the head goes out, then any body bytes that waited.
    func attach(_ handler: UpstreamConnection, arm: RouterArm, reused: Bool) {
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
        guard exchange != nil else { return }
        if exchange!.requestEnded { requestSent() }
        resumeRead()
    }

    /// Bytes kept past this read, copied out of the loop's 64 KiB read buffer (a slice would keep all of
    /// it alive: half a head from a slow client must not cost 64 KiB).
    func own(_ bytes: ByteBuffer) -> ByteBuffer {
        var copy = loop.allocator.buffer(capacity: bytes.readableBytes)
        copy.writeImmutableBuffer(bytes)
        return copy
    }

    func requestFailed(_ status: Int) {
        partialHead = nil
        respondLocally(status, close: true)
    }

    func respondLocally(_ status: Int, close: Bool) {
        guard !closed else { return }
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
        cancelTimer()
        deadline = nil
        var out = loop.allocator.buffer(capacity: 160)
        HeadRewriter.localResponse(status: status, minorVersion: minor, arm: arm, keepAlive: keepAlive, into: &out)
        if keepAlive {
            write(out)
            flush()
            schedule(core.configuration.idleTimeout, .clientIdle)
            if var pipelined = stash {
                stash = nil
                process(&pipelined)
                if pipelined.readableBytes > 0, stash == nil, !closing { stash = pipelined }
            }
            resumeRead()
        } else {
            write(out)
            closeAfterFlush()
        }
    }

    /// Closes once what was written has gone out.
    func closeAfterFlush() {
        closing = true
        stash = nil
        flush()
        if isWritable {
            close()
        } else {
            closeWhenDrained = true
        }
    }

    /// The deadline came (see ClientConnection+Deadlines): it may have moved since, else it acts.
    override func timerFired() {
        guard var due = deadline, !closed else { return }
        if deadlineKind == .upstreamIdle { due = max(due, lastUpstreamActivity + timeoutAmount) }
        if deadlineKind == .requestBody { due = max(due, lastClientActivity + timeoutAmount) }
        let now = NIODeadline.now()
        if now < due {
            setTimer(at: due)
            return
        }
        deadline = nil
        switch deadlineKind {
        case .clientIdle:
            if exchange == nil, !tunnel { close() }
        case .requestBody:
            guard exchange != nil, !exchange!.requestEnded else { return }
            if exchange!.responseHeadSent {
                closing = true
                upstream?.exchange = nil
                upstream?.close()
                upstream = nil
                exchange = nil
                close()
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
#endif
