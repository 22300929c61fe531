#if os(Linux)
import CGreenlightEpoll
import GreenlightCore
import Glibc
import NIOCore

/// The upstream side of an exchange: the response head, the body to the client, the end of the
/// exchange (or of the upstream connection), and the tunnel after a 101.
extension ClientConnection {
    // MARK: upstream side (called by UpstreamConnection on the same loop)

    func upstreamRead(_ data: ByteBuffer) {
        guard !closed else { return }
        var buffer = data
        if tunnel {
            write(buffer)
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
                    if buffer.readableBytes > 0 { write(buffer) }
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
                    write(buffer.getSlice(at: start + piece.lowerBound, length: piece.count)!)
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
    func takeResponseHead(_ buffer: inout ByteBuffer) -> ByteBuffer? {
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
        partialResponse = own(buffer)
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        return nil
    }

    /// Rewrites the upstream's head and sends it to the client; false when the exchange ended instead.
    func startResponse(_ head: ByteBuffer) -> Bool {
        guard !closed, exchange != nil else { return false }
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
            var out = loop.allocator.buffer(capacity: head.readableBytes + 96)
            do {
                info = try head.withUnsafeReadableBytes { raw throws(HeadRefusal) in
                    try loop.rewriter.rewriteResponse(
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
            write(clientHead)
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
        flush()
    }

    func writePendingClientHead() {
        guard let head = pendingClientHead, !closed else { return }
        pendingClientHead = nil
        write(head)
    }

    /// Writes body bytes to the client after the pending head, if any: one `sendmsg` takes both.
    func writeClient(_ bytes: ByteBuffer) {
        writePendingClientHead()
        write(bytes)
    }

    func upstreamBecameWritable() { resumeRead() }

    /// The upstream connection closed: the end of a body framed by the close, else a failure.
    func upstreamClosed() {
        upstream = nil
        if tunnel {
            closeAfterFlush()
            return
        }
        if let current = exchange, current.responseHeadSent, current.responseBody.endsAtClose {
            finishExchange(upstreamClean: false)
            return
        }
        upstreamFailed(timedOut: false)
    }

    /// The upstream said something that is not HTTP: 502 if nothing went to the client yet, else a cut.
    func upstreamBroke() {
        let upstream = self.upstream
        upstream?.exchange = nil
        upstream?.close()
        self.upstream = nil
        upstreamFailed(timedOut: false, retry: false)
    }

    func upstreamFailed(timedOut: Bool, retry: Bool = true) {
        writePendingClientHead()
        guard !closed, let current = exchange else { return }
        upstream = nil
        cancelTimer()
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
            flush()
            close()
        }
    }

    func finishExchange(upstreamClean: Bool) {
        guard !closed, exchange != nil else { return }
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
        // The upstream's read-complete no longer reaches this connection once the upstream is released.
        flush()
        if !keep {
            deadline = nil
            closeAfterFlush()
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
    func startTunnel() {
        guard let current = exchange, let upstream else { return }
        core.metrics.recordResponse(
            current.arm, status: 101,
            microseconds: UInt64(max(0, (NIODeadline.now() - current.started).nanoseconds / 1000)))
        cancelTimer()
        deadline = nil
        exchange = nil
        tunnel = true
        upstream.pool?.detach(upstream)
        upstream.exchange = self
        upstream.resumeReading()
        if var early = stash {
            stash = nil
            upstream.write(early)
            early.clear()
            upstream.flush()
        }
        resumeRead()
    }
}
#endif
