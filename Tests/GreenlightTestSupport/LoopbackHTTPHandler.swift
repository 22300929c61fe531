import NIOCore

/// Reads request heads off one connection and answers each as the server's behaviour says.
/// `@unchecked Sendable`: confined to its channel's event loop.
final class LoopbackHTTPHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let behaviour: LoopbackHTTPServer.Behaviour
    private let started: NIODeadline
    private let requests: LockBox<[String]>
    private var pending: [UInt8] = []
    private var answered = 0
    /// Set once a `respond` answer is under way: the rest of the connection is ignored.
    private var closing = false

    init(behaviour: LoopbackHTTPServer.Behaviour, started: NIODeadline, requests: LockBox<[String]>) {
        self.behaviour = behaviour
        self.started = started
        self.requests = requests
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !closing else { return }
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        while !closing, let end = headEnd() {
            let head = String(decoding: pending[..<(end - 4)], as: UTF8.self)
            pending.removeFirst(end)
            requests.withValue { $0.append(head) }
            respond(context, to: head)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    /// The offset just past the first blank line ending a head, if one has arrived.
    private func headEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for i in 0...(pending.count - 4)
        where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
            return i + 4
        }
        return nil
    }

    private func respond(_ context: ChannelHandlerContext, to head: String) {
        let ok = LoopbackHTTPServer.okAnswer
        switch behaviour {
        case .respond(let make):
            closing = true
            let response = make(head)
            var text = "HTTP/1.1 \(response.status) \(response.reason)\r\n"
            for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
            text += "Content-Length: \(response.body.utf8.count)\r\nConnection: close\r\n\r\n\(response.body)"
            let bytes = ByteBuffer(string: text)
            let channel = context.channel
            channel.eventLoop.scheduleTask(in: response.delay) {
                channel.writeAndFlush(bytes).whenComplete { _ in channel.close(promise: nil) }
            }
        case .ok:
            write(context, ok)
        case .status(let code):
            write(context, "HTTP/1.1 \(code) Oops\r\nContent-Length: 0\r\n\r\n")
        case .garbage:
            write(context, "HTTX/9 banana\r\n\r\n")
        case .silent:
            break
        case .truncated:
            write(context, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly a little")
            context.close(promise: nil)
        case .stalledBody:
            closing = true
            write(context, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
        case .closeWhenIdle(let seconds):
            write(context, ok)
            answered += 1
            let mark = answered
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            context.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
                if self.answered == mark { loopBound.value.close(promise: nil) }
            }
        case .stall(let start, let end):
            let t = Double((NIODeadline.now() - started).nanoseconds) / 1e9
            if t >= start, t < end {
                let wait = TimeAmount.nanoseconds(Int64((end - t) * 1e9))
                let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: wait) { self.write(loopBound.value, ok) }
            } else {
                write(context, ok)
            }
        }
    }

    private func write(_ context: ChannelHandlerContext, _ text: String) {
        context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
    }
}
