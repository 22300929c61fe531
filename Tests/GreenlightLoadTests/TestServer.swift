import Foundation
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// A small HTTP/1.1 server on loopback for the engine's tests: answers every request with a tiny
/// 200, or misbehaves on purpose (stalls, garbage, errors, silence).
final class TestServer: Sendable {
    enum Behaviour: Sendable {
        case ok
        /// Every response due inside [start, end) seconds after the server started waits until `end`.
        case stall(start: Double, end: Double)
        case status(Int)
        case garbage
        case silent
        /// Answers with a body, then closes mid-body.
        case truncated
        /// Answers at once, and closes a connection that stays idle for this many seconds.
        case closeWhenIdle(Double)
    }

    let channel: Channel
    let group: MultiThreadedEventLoopGroup
    var port: Int { channel.localAddress!.port! }
    var url: String { "\(scheme)://127.0.0.1:\(port)/" }
    let scheme: String

    init(_ behaviour: Behaviour, tls: (certificate: String, key: String)? = nil) async throws {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let sslContext = try tls.map {
            try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile($0.certificate).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: $0.key, format: .pem))))
        }
        let started = NIODeadline.now()
        let box = CountBox()
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: sslContext))
                    }
                    try channel.pipeline.syncOperations.addHandler(
                        Handler(behaviour: behaviour, started: started, count: box))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        counter = box
        scheme = tls == nil ? "http" : "https"
    }

    private let counter: CountBox
    var requestCount: Int { counter.value }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    final class CountBox: Sendable {
        let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    /// `@unchecked Sendable`: confined to its channel's event loop.
    final class Handler: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let behaviour: Behaviour
        let started: NIODeadline
        let count: CountBox
        var pending: [UInt8] = []
        var answered = 0

        init(behaviour: Behaviour, started: NIODeadline, count: CountBox) {
            self.behaviour = behaviour
            self.started = started
            self.count = count
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var buffer = unwrapInboundIn(data)
            pending += buffer.readBytes(length: buffer.readableBytes) ?? []
            while let end = headEnd() {
                pending.removeFirst(end)
                count.add()
                respond(context)
            }
        }

        func headEnd() -> Int? {
            guard pending.count >= 4 else { return nil }
            for i in 0...(pending.count - 4)
            where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
                return i + 4
            }
            return nil
        }

        func respond(_ context: ChannelHandlerContext) {
            let ok = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nok\n"
            switch behaviour {
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

        func write(_ context: ChannelHandlerContext, _ text: String) {
            context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(string: text)), promise: nil)
        }
    }
}
