import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// An HTTP/1.1 server on 127.0.0.1, on a free port, over plain TCP or TLS, that answers as its
/// ``Behaviour`` says until ``shutdown()``, and records the head of every request it reads.
public final class LoopbackHTTPServer: Sendable {
    /// A response made in full by the test; sent with `Content-Length` and `Connection: close`.
    public struct Response: Sendable {
        /// The status code.
        public var status: Int
        /// The reason phrase.
        public var reason: String
        /// Headers sent before `Content-Length` and `Connection`, in order.
        public var headers: [(String, String)]
        /// The body.
        public var body: String
        /// How long to wait before answering.
        public var delay: TimeAmount

        /// A response; by default `200 OK` with the body `ok`, at once.
        public init(
            status: Int = 200, reason: String = "OK", headers: [(String, String)] = [], body: String = "ok",
            delay: TimeAmount = .zero
        ) {
            self.status = status
            self.reason = reason
            self.headers = headers
            self.body = body
            self.delay = delay
        }
    }

    /// How the server answers.
    public enum Behaviour: Sendable {
        /// Answers the first request of each connection with what the closure makes of its head (the
        /// request line and header lines, without the blank line), then closes the connection.
        case respond(@Sendable (_ head: String) -> Response)
        /// Answers every request, keeping the connection open, with ``LoopbackHTTPServer/okAnswer``.
        case ok
        /// As `ok`, but every answer due inside [start, end) seconds after the server started waits until `end`.
        case stall(start: Double, end: Double)
        /// Answers every request with this status and an empty body, keeping the connection open.
        case status(Int)
        /// Answers every request with bytes that are not HTTP.
        case garbage
        /// Reads requests and never answers.
        case silent
        /// Answers with part of the body it announces, then closes.
        case truncated
        /// Answers with a head announcing 100 bytes of body and sends 10 of them, then nothing more,
        /// keeping the connection open.
        case stalledBody
        /// As `ok`, and closes a connection that stays idle for this many seconds.
        case closeWhenIdle(Double)

        /// Answers the first request of each connection with `response`, then closes the connection.
        public static func answer(_ response: Response) -> Behaviour { .respond { _ in response } }
    }

    /// The bytes of one answer in `ok` mode.
    public static let okAnswer = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Type: text/plain\r\n\r\nok\n"

    /// The port it listens on.
    public let port: Int
    /// `http` or `https`.
    public let scheme: String
    /// The heads of the requests read so far, in order.
    public let requests = LockBox<[String]>([])
    private let channel: Channel
    private let group: MultiThreadedEventLoopGroup

    /// `scheme://127.0.0.1:port/`.
    public var url: String { "\(scheme)://127.0.0.1:\(port)/" }

    /// How many requests it has read.
    public var requestCount: Int { requests.withValue { $0.count } }

    /// Starts a server behaving as `behaviour`, presenting `certificate` when given (HTTPS), on a thread of its own.
    public init(_ behaviour: Behaviour = .ok, certificate: TestCertificate? = nil) async throws {
        let context = try certificate.map {
            try NIOSSLContext(
                configuration: .makeServerConfiguration(
                    certificateChain: try NIOSSLCertificate.fromPEMFile($0.certificatePath).map { .certificate($0) },
                    privateKey: .privateKey(try NIOSSLPrivateKey(file: $0.keyPath, format: .pem))))
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let started = NIODeadline.now()
        let requests = requests
        do {
            channel = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelInitializer { child in
                    child.eventLoop.makeCompletedFuture {
                        if let context {
                            try child.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                        }
                        try child.pipeline.syncOperations.addHandler(
                            LoopbackHTTPHandler(behaviour: behaviour, started: started, requests: requests))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        self.group = group
        port = channel.localAddress!.port!
        scheme = certificate == nil ? "http" : "https"
    }

    /// Starts a server answering each request with what `respond` makes of its head, then closing the connection.
    public convenience init(
        certificate: TestCertificate? = nil, respond: @escaping @Sendable (_ head: String) -> Response
    ) async throws {
        try await self.init(.respond(respond), certificate: certificate)
    }

    /// Stops listening, closes every connection and ends the server's thread.
    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}
