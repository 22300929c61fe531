import GreenlightHTTP
import NIOCore
import NIOSSL
import NIOTLS

/// One keep-alive connection of the load engine. Lives on one event loop; every field is touched
/// only there. Writes a pre-encoded request, feeds what arrives to the byte-level parser and tells
/// its worker when a response is complete. No per-request allocation on the fixed-request path.
/// `@unchecked Sendable`: confined to its worker's event loop (the loop of its channel).
final class LoadConnection: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Strong on purpose: a connection outlives a run only until `LoopWorker.shutdown()` closes it.
    let worker: LoopWorker
    let index: Int
    var context: ChannelHandlerContext?
    var parser = HTTPResponseParser()
    var completed: [HTTPResponseParser.Response] = []

    /// Where the connection is: opening, open and doing something, closing, or closed.
    var state = State.closed
    /// Lent to a session iteration, which sends its steps one by one. Not a state of the channel: a
    /// session keeps its connection across a reconnect.
    var lent = false
    /// For the closed model: this virtual user is running (not ramped down). Not a state of the channel:
    /// the user keeps its role across reconnects, pauses and sessions.
    var active = false
    var intended: UInt64 = 0
    var sentAt: UInt64 = 0
    var countsStatus = true
    var sessionStart: UInt64?
    var capture: ByteBuffer?
    var promise: EventLoopPromise<HTTPResponseRecord>?
    var userRow: [String: String]?
    /// A session step to write as soon as the connection is open again.
    var pendingWrite: (request: ByteBuffer, intended: UInt64, isHead: Bool)?
    var failures = 0
    /// A pause a reconnect interrupted: the user resumes it, then sends.
    var resumeThinkAt: UInt64?
    /// Bumped on every connect: timers of an earlier channel recognise they are stale.
    var generation: UInt64 = 0
    var responsesOnChannel = 0
    /// Completed when this attempt to connect ends: ready (TLS handshake included) or failed.
    var attempt: EventLoopPromise<Void>?

    init(worker: LoopWorker, index: Int) {
        self.worker = worker
        self.index = index
        completed.reserveCapacity(2)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelActive(context: ChannelHandlerContext) {
        if !worker.plan.target.isTLS { becameReady() }
        context.fireChannelActive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let tls = event as? TLSUserEvent, case .handshakeCompleted = tls { becameReady() }
        context.fireUserInboundEventTriggered(event)
    }

    private func becameReady() {
        guard !isReady else { return }
        if case .closing = state { state = .closing(was: .idle) } else { state = .open(.idle) }
        failures = 0
        attempt?.succeed(())
        attempt = nil
        worker.connectionReady(self)
    }

    @inline(__always)
    func write(_ request: ByteBuffer, intended: UInt64, now: UInt64, isHead: Bool) {
        if case .closing = state { state = .closing(was: .busy) } else { state = .open(.busy) }
        self.intended = intended
        sentAt = now
        parser.nextResponseHasNoBody = isHead
        context?.writeAndFlush(NIOAny(request), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if capture != nil {
            var copy = buffer
            capture!.writeBuffer(&copy)
        }
        let failed = buffer.withUnsafeReadableBytes { bytes -> HTTPResponseParser.ParseError? in
            do throws(HTTPResponseParser.ParseError) {
                try parser.consume(bytes, into: &completed)
                return nil
            } catch {
                return error
            }
        }
        if !completed.isEmpty {
            // By index: a `for … in` over the array copies it (and allocates, unoptimized).
            var k = 0
            while k < completed.count {
                worker.responded(self, completed[k])
                k += 1
            }
            // removeLast, not removeAll(keepingCapacity:), which goes through replaceSubrange.
            while !completed.isEmpty { completed.removeLast() }
        }
        if let failed {
            worker.failed(self, .protocolError, reason: "malformed response: \(failed)")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if isBusy, let last = try? parser.finish() {
            worker.responded(self, last)
        }
        worker.closed(self)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        worker.note(error: error, on: self)
        context.close(promise: nil)
    }

    /// Drops the connection; the worker opens a new one in its place.
    func close() {
        switch state {
        case .connecting: state = .closing(was: nil)
        case .open(let activity): state = .closing(was: activity)
        case .closed, .closing: break
        }
        context?.close(promise: nil)
    }

    func reset() {
        attempt?.succeed(())
        attempt = nil
        state = .closed
        context = nil
        parser = HTTPResponseParser()
        responsesOnChannel = 0
        capture = nil
        pendingWrite = nil
    }
}

extension LoadConnection {
    /// The state of a connection's channel and of the request on it; every combination is a real one.
    enum State: Equatable {
        /// No channel: not opened yet, or closed and waiting to reopen.
        case closed
        /// Opening: the TCP connect, then the TLS handshake for https.
        case connecting
        /// Open and ready for requests (TLS handshake done, for https).
        case open(Activity)
        /// Close was asked for: the connection takes no new work and reopens once closed. Remembers what
        /// it was doing when open (`nil`: it was still connecting).
        case closing(was: Activity?)
    }

    /// What an open connection is doing.
    enum Activity: Equatable {
        /// Nothing: free for the next request.
        case idle
        /// A request was written and its response is not complete yet.
        case busy
        /// Closed model: the user pauses between iterations until `until` (no request in flight).
        case thinking(until: UInt64)
    }

    /// Open and ready for requests, or was until a close was asked for.
    var isReady: Bool {
        switch state {
        case .open, .closing(was: .some): true
        case .closed, .connecting, .closing(was: nil): false
        }
    }

    /// Open, ready, and free for the next request.
    var isIdle: Bool { state == .open(.idle) }

    /// A request is outstanding: written and not answered, or a session step waiting for the connection to reopen.
    var isBusy: Bool {
        switch state {
        case .open(.busy), .closing(was: .busy?): true
        default: pendingWrite != nil
        }
    }

    /// The end of the pause the user was in, if it was pausing (or was when a close was asked for).
    var thinkingUntil: UInt64? {
        switch state {
        case .open(.thinking(let until)), .closing(was: .thinking(let until)?): until
        default: nil
        }
    }

    /// The outstanding request is over (answered, failed or timed out): the connection is free again.
    func requestEnded() {
        switch state {
        case .open(.busy): state = .open(.idle)
        case .closing(was: .busy?): state = .closing(was: .idle)
        default: break
        }
    }
}
