import GreenlightHTTP
import NIOCore
import NIOSSL
import NIOTLS

/// One keep-alive connection of the load engine. Lives on one event loop; every field is touched
/// only there. Writes a pre-encoded request, feeds what arrives to the byte-level parser and tells
/// its worker when a response is complete. No per-request allocation on the fixed-request path.
final class LoadConnection: ChannelInboundHandler, RemovableChannelHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Strong on purpose: a connection outlives a run only until `LoopWorker.shutdown()` closes it.
    let worker: LoopWorker
    let index: Int
    var context: ChannelHandlerContext?
    var parser = HTTPResponseParser()
    var completed: [HTTPResponseParser.Response] = []

    /// Open and ready for requests (TLS handshake done, for https).
    var ready = false
    /// A connect is under way.
    var connecting = false
    /// A request was written and its response is not complete yet.
    var busy = false
    /// Lent to a session iteration, which sends its steps one by one.
    var lent = false
    /// For the closed model: this virtual user is running (not ramped down).
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
    /// Closed model: the user pauses between iterations (no request in flight).
    var thinking = false
    var thinkUntil: UInt64 = 0
    /// A pause a reconnect interrupted: the user resumes it, then sends.
    var resumeThinkAt: UInt64?
    /// Close was asked for: the connection takes no new work and reopens once closed.
    var closing = false
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
        guard !ready else { return }
        ready = true
        connecting = false
        failures = 0
        attempt?.succeed(())
        attempt = nil
        worker.connectionReady(self)
    }

    @inline(__always)
    func write(_ request: ByteBuffer, intended: UInt64, now: UInt64, isHead: Bool) {
        busy = true
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
            for response in completed { worker.responded(self, response) }
            completed.removeAll(keepingCapacity: true)
        }
        if let failed {
            worker.failed(self, .protocolError, reason: "malformed response: \(failed)")
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if busy, let last = try? parser.finish() {
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
        closing = true
        context?.close(promise: nil)
    }

    func reset() {
        attempt?.succeed(())
        attempt = nil
        connecting = false
        context = nil
        parser = HTTPResponseParser()
        ready = false
        busy = false
        thinking = false
        closing = false
        responsesOnChannel = 0
        capture = nil
        pendingWrite = nil
    }
}
