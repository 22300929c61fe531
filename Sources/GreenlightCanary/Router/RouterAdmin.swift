import Foundation
import GreenlightCore
import NIOCore
import NIOHTTP1
import NIOPosix

/// The admin listener: `GET /metrics` (Prometheus text), `GET /status` and `GET /intervals` (JSON), `POST /weight`
/// `{"weight": N}` and `POST /drain`. Off loopback every request needs `Authorization: Bearer <token>`.
enum RouterAdmin {
    static func bind(core: RouterCore, host: String, port: Int) async throws -> any Channel {
        try await ServerBootstrap(group: core.group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        AdminHandler(core: core, requireToken: !CanaryRouter.isLoopback(host)))
                }
            }
            .bind(host: host, port: port).get()
    }

    static func status(_ core: RouterCore) -> String {
        var arms: [String] = []
        for arm in RouterArm.allCases {
            let snapshot = core.metrics.snapshot(arm)
            let p99 = snapshot.latency.totalCount == 0 ? 0 : Double(snapshot.latency.valueAtPercentile(99)) / 1000
            arms.append(
                "\"\(arm.rawValue)\":{\"upstream\":\"\(core.configuration.upstream(arm))\",\"healthy\":\(core.isHealthy(arm)),"
                    + "\"requests\":\(snapshot.requests),\"errors\":\(snapshot.errors),"
                    + "\"status_classes\":{\"1xx\":\(snapshot.statusClasses[0]),\"2xx\":\(snapshot.statusClasses[1]),"
                    + "\"3xx\":\(snapshot.statusClasses[2]),\"4xx\":\(snapshot.statusClasses[3]),\"5xx\":\(snapshot.statusClasses[4])},"
                    + "\"p99_ms\":\(p99)}")
        }
        let group = core.configuration.group.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(
            of: "\"", with: "\\\"")
        return
            "{\"weight\":\(Format.number(core.weight)),\"group\":\"\(group)\",\"arms\":{\(arms.joined(separator: ","))}}\n"
    }
}

extension RouterAdmin {
    /// `GET /intervals[?since=UNIX]`: the completed intervals, oldest first, each with both arms' counts,
    /// status classes, errors, latency quantiles and the latency distribution (microseconds, count).
    static func intervals(_ core: RouterCore, since: Date?) -> String {
        func arm(_ a: RouterMetrics.IntervalArm) -> String {
            func quantile(_ p: Double) -> String {
                a.latency(atPercentile: p).map { String(Double($0) / 1000) } ?? "null"
            }
            let buckets = a.latency.map { "[\($0.microseconds),\($0.count)]" }.joined(separator: ",")
            return "{\"requests\":\(a.requests),\"errors\":\(a.errors),"
                + "\"status_classes\":{\"1xx\":\(a.statusClasses[0]),\"2xx\":\(a.statusClasses[1]),"
                + "\"3xx\":\(a.statusClasses[2]),\"4xx\":\(a.statusClasses[3]),\"5xx\":\(a.statusClasses[4])},"
                + "\"p50_ms\":\(quantile(50)),\"p90_ms\":\(quantile(90)),\"p99_ms\":\(quantile(99)),"
                + "\"latency_us\":[\(buckets)]}"
        }
        let items = core.metrics.intervals(since: since).map { interval in
            "{\"start\":\(interval.start.timeIntervalSince1970),\"end\":\(interval.end.timeIntervalSince1970),"
                + "\"baseline\":\(arm(interval.baseline)),\"canary\":\(arm(interval.canary))}"
        }
        let seconds = Double(core.metrics.interval.nanoseconds) / 1e9
        return "{\"interval_seconds\":\(seconds),\"weight\":\(Format.number(core.weight)),"
            + "\"intervals\":[\(items.joined(separator: ","))]}\n"
    }
}

final class AdminHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let core: RouterCore
    private let requireToken: Bool
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    private var tooLarge = false

    init(core: RouterCore, requireToken: Bool) {
        self.core = core
        self.requireToken = requireToken
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body.clear()
            tooLarge = false
        case .body(var buffer):
            if body.readableBytes + buffer.readableBytes > 65536 { tooLarge = true } else { body.writeBuffer(&buffer) }
        case .end:
            guard let head else { return }
            self.head = nil
            let peer = context.channel.remoteAddress?.ipAddress ?? "unknown"
            let (status, type, text) = answer(head, peer: peer)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: type)
            headers.add(name: "Content-Length", value: String(text.utf8.count))
            if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: head.version, status: status, headers: headers))),
                promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: text)))), promise: nil)
            let keepAlive = head.isKeepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in
                if !keepAlive { context.close(promise: nil) }
            }
        }
    }

    private func answer(_ head: HTTPRequestHead, peer: String) -> (HTTPResponseStatus, String, String) {
        let json = "application/json"
        if requireToken {
            let expected = "Bearer " + (core.configuration.adminToken ?? "")
            guard let given = head.headers.first(name: "authorization"), constantTimeEqual(given, expected) else {
                return (.unauthorized, json, "{\"error\":\"a bearer token is required\"}\n")
            }
        }
        if tooLarge { return (.payloadTooLarge, json, "{\"error\":\"body too large\"}\n") }
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        switch (head.method, path) {
        case (.GET, "/metrics"):
            return (
                .ok, "text/plain; version=0.0.4",
                core.metrics.prometheusText(weight: core.weight)
            )
        case (.GET, "/status"):
            return (.ok, json, RouterAdmin.status(core))
        case (.GET, "/intervals"):
            let query = head.uri.split(separator: "?", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
            var since: Date?
            for pair in query.split(separator: "&") where pair.hasPrefix("since=") {
                guard let seconds = Double(pair.dropFirst(6)), seconds.isFinite else {
                    return (.badRequest, json, "{\"error\":\"since must be seconds since 1970\"}\n")
                }
                since = Date(timeIntervalSince1970: seconds)
            }
            return (.ok, json, RouterAdmin.intervals(core, since: since))
        case (.POST, "/drain"):
            core.setWeight(0, action: "drain", by: "admin-api \(peer)")
            return (.ok, json, RouterAdmin.status(core))
        case (.POST, "/weight"):
            let bytes = body.readableBytesView
            guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any],
                let number = object["weight"] as? NSNumber, let weight = RouterWeight.percent(number.doubleValue)
            else {
                return (.badRequest, json, "{\"error\":\"expected {\\\"weight\\\": 0 to 100, to hundredths}\"}\n")
            }
            core.setWeight(weight, action: "weight", by: "admin-api \(peer)")
            return (.ok, json, RouterAdmin.status(core))
        case (_, "/metrics"), (_, "/status"), (_, "/intervals"), (_, "/drain"), (_, "/weight"):
            return (.methodNotAllowed, json, "{\"error\":\"method not allowed\"}\n")
        default:
            return (.notFound, json, "{\"error\":\"not found\"}\n")
        }
    }

    private func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var difference: UInt8 = 0
        for index in x.indices { difference |= x[index] ^ y[index] }
        return difference == 0
    }
}
