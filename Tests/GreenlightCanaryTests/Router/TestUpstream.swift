import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOWebSocket
import Synchronization

/// A loopback HTTP/1.1 upstream for the router's tests, named so a response tells which arm served it.
///
///   /echo           the request body back (content-length if the request had one, else chunked)
///   /bytes/N        N bytes (add ?chunked for chunked framing), written with back-pressure
///   /slow           never answers
///   /die            a head promising 1 MB, 1,000 bytes, then the connection closes
///   /headers        the request's headers as text
///   anything else   "ok"
///   Upgrade: test-echo (a connection's first request)   101, then every byte echoed
final class TestUpstream: Sendable {
    let name: String
    let port: Int
    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup
    private let accepted = Atomic<Int>(0)

    var connectionsAccepted: Int { accepted.load(ordering: .relaxed) }

    private init(name: String, port: Int, channel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.name = name
        self.port = port
        self.channel = channel
        self.group = group
    }

    static func start(_ name: String, port: Int = 0) async throws -> TestUpstream {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let counter = Counter()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                counter.increment()
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                        withServerUpgrade: (
                            upgraders: [EchoUpgrader(), Self.webSocketUpgrader()], completionHandler: { _ in }
                        ))
                    try channel.pipeline.syncOperations.addHandler(UpstreamTestHandler(name: name), name: "app")
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        let upstream = TestUpstream(name: name, port: channel.localAddress!.port!, channel: channel, group: group)
        counter.target.withLock { $0 = upstream }
        return upstream
    }

    /// `Upgrade: websocket` (RFC 6455, NIO's upgrader checks the key and answers the accept): every
    /// text or binary frame comes back as it was sent, unmasked.
    static func webSocketUpgrader() -> NIOWebSocketServerUpgrader {
        NIOWebSocketServerUpgrader(
            shouldUpgrade: { channel, _ in channel.eventLoop.makeSucceededFuture(HTTPHeaders()) },
            upgradePipelineHandler: { channel, _ in
                channel.eventLoop.makeCompletedFuture {
                    _ = channel.pipeline.syncOperations.removeHandler(name: "app")
                    try channel.pipeline.syncOperations.addHandler(WebSocketEcho())
                }
            })
    }

    func stop() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    final class Counter: Sendable {
        let target = Mutex<TestUpstream?>(nil)
        func increment() { target.withLock { _ = $0?.accepted.add(1, ordering: .relaxed) } }
    }
}

final class UpstreamTestHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let name: String
    private var route = ""
    private var request: HTTPRequestHead?
    private var heldRead = false
    private var remaining = 0
    private var context: ChannelHandlerContext?

    init(name: String) { self.name = name }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }

    func read(context: ChannelHandlerContext) {
        if !context.channel.isWritable { heldRead = true } else { context.read() }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            if heldRead {
                heldRead = false
                context.read()
            }
            if pumping { pump(context) }
        }
        context.fireChannelWritabilityChanged()
    }

    private func head(_ status: HTTPResponseStatus = .ok, length: Int?) -> HTTPServerResponsePart {
        var headers = HTTPHeaders()
        headers.add(name: "X-Upstream", value: name)
        if let length {
            headers.add(name: "Content-Length", value: String(length))
        } else {
            headers.add(name: "Transfer-Encoding", value: "chunked")
        }
        return .head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let request):
            self.request = request
            route = String(request.uri.split(separator: "?").first ?? "")
            if route == "/echo" {
                let length = request.headers.first(name: "content-length").flatMap(Int.init)
                context.write(wrapOutboundOut(head(length: length)), promise: nil)
            }
        case .body(let buffer):
            if route == "/echo" { context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil) }
        case .end:
            guard let request else { return }
            switch route {
            case "/echo":
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
            case "/slow":
                break
            case "/die":
                context.write(wrapOutboundOut(head(length: 1_000_000)), promise: nil)
                context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(repeating: 7, count: 1000)))))
                    .assumeIsolated().whenComplete { _ in context.close(promise: nil) }
            case "/headers":
                var text = ""
                for (name, value) in request.headers { text += "\(name): \(value)\n" }
                respond(context, text)
            default:
                if route.hasPrefix("/bytes/"), let count = Int(route.dropFirst(7)) {
                    let chunked = request.uri.hasSuffix("?chunked")
                    context.write(wrapOutboundOut(head(length: chunked ? nil : count)), promise: nil)
                    remaining = count
                    pump(context)
                } else {
                    respond(context, "ok")
                }
            }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) { context.flush() }

    private func respond(_ context: ChannelHandlerContext, _ text: String) {
        context.write(wrapOutboundOut(head(length: text.utf8.count)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }

    /// Writes the /bytes body while the channel takes it: byte i is i % 251.
    private var offset = 0
    private var pumping = false
    private static let pattern: [UInt8] = (0..<(65536 + 251)).map { UInt8($0 % 251) }

    private func pump(_ context: ChannelHandlerContext) {
        pumping = true
        while remaining > 0, context.channel.isWritable {
            let size = min(remaining, 65536)
            let start = offset % 251
            let buffer = context.channel.allocator.buffer(bytes: Self.pattern[start..<(start + size)])
            offset += size
            remaining -= size
            context.writeAndFlush(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        if remaining == 0, pumping {
            pumping = false
            offset = 0
            request = nil
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// `Upgrade: test-echo`: after the 101 the connection echoes raw bytes.
struct EchoUpgrader: HTTPServerProtocolUpgrader, Sendable {
    let supportedProtocol = "test-echo"
    let requiredUpgradeHeaders: [String] = []

    func buildUpgradeResponse(
        channel: any Channel, upgradeRequest: HTTPRequestHead, initialResponseHeaders: HTTPHeaders
    )
        -> EventLoopFuture<HTTPHeaders>
    {
        channel.eventLoop.makeSucceededFuture(initialResponseHeaders)
    }

    func upgrade(context: ChannelHandlerContext, upgradeRequest: HTTPRequestHead) -> EventLoopFuture<Void> {
        context.eventLoop.makeCompletedFuture {
            _ = context.pipeline.syncOperations.removeHandler(name: "app")
            try context.pipeline.syncOperations.addHandler(RawEcho())
        }
    }
}

final class RawEcho: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    func channelRead(context: ChannelHandlerContext, data: NIOAny) { context.writeAndFlush(data, promise: nil) }
}

/// Echoes WebSocket data frames; answers a close with a close.
final class WebSocketEcho: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias OutboundOut = WebSocketFrame

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .text, .binary:
            let echo = WebSocketFrame(fin: true, opcode: frame.opcode, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(echo), promise: nil)
        case .connectionClose:
            let close = WebSocketFrame(fin: true, opcode: .connectionClose, data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(close)).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
        default:
            break
        }
    }
}
