import Foundation
import NIOCore
import NIOPosix

/// A webhook receiver on 127.0.0.1: records each request whole (head and body, read to its
/// Content-Length) and answers it with what `answer` says for the request's index (from 0), then closes
/// the connection.
public final class RecordingReceiver: Sendable {
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [(name: String, value: String)]
        public var body: Data
        public var time: Date

        public func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    public struct Answer: Sendable {
        public var status: Int
        public var headers: [(String, String)] = []
        public var body: String = ""

        public init(status: Int, headers: [(String, String)] = [], body: String = "") {
            self.status = status
            self.headers = headers
            self.body = body
        }
    }

    public let port: Int
    public let requests = LockBox<[Request]>([])
    private let channel: Channel
    private let group: MultiThreadedEventLoopGroup

    public var url: String { "http://127.0.0.1:\(port)" }
    public var count: Int { requests.withValue { $0.count } }

    public init(answer: @escaping @Sendable (_ index: Int) -> Answer = { _ in Answer(status: 200) }) async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let requests = requests
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(RecordingHandler(requests: requests, answer: answer))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        self.group = group
        port = channel.localAddress!.port!
    }

    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// Reads one request off a connection and answers it. `@unchecked Sendable`: confined to its channel's
/// event loop.
private final class RecordingHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let requests: LockBox<[RecordingReceiver.Request]>
    private let answer: @Sendable (Int) -> RecordingReceiver.Answer
    private var pending: [UInt8] = []
    private var done = false

    init(requests: LockBox<[RecordingReceiver.Request]>, answer: @escaping @Sendable (Int) -> RecordingReceiver.Answer)
    {
        self.requests = requests
        self.answer = answer
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !done else { return }
        var buffer = unwrapInboundIn(data)
        pending += buffer.readBytes(length: buffer.readableBytes) ?? []
        guard let end = headEnd() else { return }
        let head = String(decoding: pending[..<(end - 4)], as: UTF8.self)
        let lines = head.components(separatedBy: "\r\n")
        let headers: [(name: String, value: String)] = lines.dropFirst().compactMap { line in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let length = headers.first { $0.name.lowercased() == "content-length" }.flatMap { Int($0.value) } ?? 0
        guard pending.count - end >= length else { return }
        done = true
        let parts = lines[0].split(separator: " ")
        let request = RecordingReceiver.Request(
            method: parts.first.map(String.init) ?? "", path: parts.count > 1 ? String(parts[1]) : "",
            headers: headers, body: Data(pending[end..<(end + length)]), time: Date())
        let index = requests.withValue {
            $0.append(request)
            return $0.count - 1
        }
        let response = answer(index)
        var text = "HTTP/1.1 \(response.status) Answer\r\n"
        for (name, value) in response.headers { text += "\(name): \(value)\r\n" }
        text += "Content-Length: \(response.body.utf8.count)\r\nConnection: close\r\n\r\n\(response.body)"
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(channel.allocator.buffer(string: text))).whenComplete { _ in
            channel.close(promise: nil)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func headEnd() -> Int? {
        guard pending.count >= 4 else { return nil }
        for i in 0...(pending.count - 4)
        where pending[i] == 13 && pending[i + 1] == 10 && pending[i + 2] == 13 && pending[i + 3] == 10 {
            return i + 4
        }
        return nil
    }
}
