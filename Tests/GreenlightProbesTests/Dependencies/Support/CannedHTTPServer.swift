import Foundation
import NIOCore
import NIOPosix
import NIOSSL

extension DependencyFixtures {
    /// An HTTP/1.1 server on 127.0.0.1 that answers every request with the same response (or one
    /// chosen from the request head), after an optional delay, over plain TCP or TLS. It records the
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
        let requests = LockBox<[String]>([])
        private let channel: Channel

        /// A server presenting `certificate` (PEM files) when given, plain HTTP otherwise.
        convenience init(_ response: Response = Response(), certificate: TestCertificate? = nil) async throws {
            try await self.init(certificate: certificate) { _ in response }
        }

        /// A server answering each request with what `respond` makes of its head.
        init(
            certificate: TestCertificate? = nil, respond: @escaping @Sendable (_ head: String) -> Response
        ) async throws {
            var context: NIOSSLContext?
            if let certificate {
                let configuration = TLSConfiguration.makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile(certificate.certificatePath).map {
                        .certificate($0)
                    },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: certificate.keyPath, format: .pem)))
                context = try NIOSSLContext(configuration: configuration)
            }
            let requests = self.requests
            channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { [context] child in
                    child.eventLoop.makeCompletedFuture {
                        if let context {
                            try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                        }
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

    /// Reads one request head, waits the response's delay, answers, and closes.
    final class CannedResponder: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer

        let respond: @Sendable (String) -> CannedHTTPServer.Response
        let requests: LockBox<[String]>
        private var received = ""
        private var answered = false

        init(respond: @escaping @Sendable (String) -> CannedHTTPServer.Response, requests: LockBox<[String]>) {
            self.respond = respond
            self.requests = requests
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += String(buffer: unwrapInboundIn(data))
            guard !answered, let end = received.range(of: "\r\n\r\n") else { return }
            answered = true
            let head = String(received[..<end.lowerBound])
            requests.withValue { $0.append(head) }
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
