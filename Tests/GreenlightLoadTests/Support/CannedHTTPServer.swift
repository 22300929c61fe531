import Foundation
import NIOCore
import NIOPosix
import Synchronization

// A plain-HTTP copy of the dependency tests' canned server (Tests/GreenlightProbesTests/Dependencies/Support),
// for the Prometheus-watch tests; both belong in a shared test kit.
extension LoadFixtures {
    /// An HTTP/1.1 server on 127.0.0.1 that answers every request with the same response (or one
    /// chosen from the request head), after an optional delay. It records the
    /// request heads it receives.
    final class CannedHTTPServer: Sendable {
        struct Response: Sendable {
            var status = 200
            var reason = "OK"
            var headers: [(String, String)] = []
            var body = "ok"
            var delay: TimeAmount = .zero
        }

        let port: Int
        let requests = RequestLog()
        private let channel: Channel

        convenience init(_ response: Response = Response()) async throws {
            try await self.init { _ in response }
        }

        /// A server answering each request with what `respond` makes of its head.
        init(respond: @escaping @Sendable (_ head: String) -> Response) async throws {
            let requests = self.requests
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { child in
                    child.eventLoop.makeCompletedFuture {
                        try child.pipeline.syncOperations.addHandler(
                            CannedResponder(respond: respond, requests: requests))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
            port = channel.localAddress!.port!
        }

        func shutdown() async {
            try? await channel.close()
        }
    }

    /// The request heads a server received.
    final class RequestLog: Sendable {
        let heads = Mutex<[String]>([])
        var current: [String] { heads.withLock { $0 } }
    }

    /// Reads one request head, waits the response's delay, answers, and closes.
    final class CannedResponder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let respond: @Sendable (String) -> CannedHTTPServer.Response
        let requests: RequestLog
        private var received = ""
        private var answered = false

        init(respond: @escaping @Sendable (String) -> CannedHTTPServer.Response, requests: RequestLog) {
            self.respond = respond
            self.requests = requests
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += String(buffer: unwrapInboundIn(data))
            guard !answered, let end = received.range(of: "\r\n\r\n") else { return }
            answered = true
            let head = String(received[..<end.lowerBound])
            requests.heads.withLock { $0.append(head) }
            let response = respond(head)
            var text = "HTTP/1.1 \(response.status) \(response.reason)\r\n"
            for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
            text += "Content-Length: \(response.body.utf8.count)\r\nConnection: close\r\n\r\n\(response.body)"
            let bytes = ByteBuffer(string: text)
            let channel = context.channel
            channel.eventLoop.scheduleTask(in: response.delay) {
                channel.writeAndFlush(bytes).whenComplete { _ in channel.close(promise: nil) }
            }
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }
}
