import Foundation
import GreenlightJSON
import GreenlightLedger
import Hummingbird
import Logging
import NIOCore

/// Feature flags served over OFREP, the OpenFeature Remote Evaluation Protocol (0.3.0):
///
///     POST /ofrep/v1/evaluate/flags/{key}   one flag: 200 {key, value, reason, variant, metadata},
///                                           404 FLAG_NOT_FOUND, 400 PARSE_ERROR | INVALID_CONTEXT |
///                                           TARGETING_KEY_MISSING
///     POST /ofrep/v1/evaluate/flags         every flag: 200 {flags: [...]} with an ETag, 304 when
///                                           If-None-Match carries the current one, 400 for a bad body
///
/// Answers come from the ``FlagStore``'s snapshot, which ``poll()`` refreshes every ``pollInterval``
/// (250 ms), so a kill recorded by any process reaches every serving process within a second.
/// ``mount(on:)`` adds the routes to any Hummingbird router (the canary router's); ``run(host:port:)``
/// serves them alone (`greenlight flag serve`).
public struct OFREPService: Sendable {
    public let store: FlagStore
    public var pollInterval: Duration

    /// The largest request body read.
    public static let maximumBodyBytes = 64 * 1024

    public init(store: FlagStore, pollInterval: Duration = .milliseconds(250)) {
        self.store = store
        self.pollInterval = pollInterval
    }

    /// Adds the two OFREP routes to `router`.
    public func mount<Context: RequestContext>(on router: Router<Context>) {
        let store = self.store
        router.post("/ofrep/v1/evaluate/flags/:key") { request, context -> Response in
            let key = context.parameters.get("key") ?? ""
            let body = try await Self.body(of: request)
            return Self.single(key: key, body: body, snapshot: store.snapshot)
        }
        router.post("/ofrep/v1/evaluate/flags") { request, _ -> Response in
            let body = try await Self.body(of: request)
            return Self.bulk(
                body: body, ifNoneMatch: request.headers[.ifNoneMatch], snapshot: store.snapshot)
        }
    }

    /// Refreshes the snapshot every ``pollInterval`` until cancelled; a failed read is retried at the
    /// next tick (the snapshot keeps serving meanwhile).
    public func poll() async {
        while !Task.isCancelled {
            _ = try? await store.refresh()
            try? await Task.sleep(for: pollInterval)
        }
    }

    // MARK: - Answers

    private static func body(of request: Request) async throws -> ByteBuffer? {
        var request = request
        do {
            return try await request.collectBody(upTo: maximumBodyBytes)
        } catch {
            return nil
        }
    }

    static func parse(_ body: ByteBuffer?) -> Result<EvaluationContext, FlagEvaluation.ErrorCode> {
        guard let body, body.readableBytes > 0 else { return .failure(.parseError) }
        let value: JSONValue
        do {
            value = try JSONValue(parsing: Data(body.readableBytesView))
        } catch {
            return .failure(.parseError)
        }
        do {
            return .success(try EvaluationContext(request: value))
        } catch let code as FlagEvaluation.ErrorCode {
            return .failure(code)
        } catch {
            return .failure(.invalidContext)
        }
    }

    static func details(_ code: FlagEvaluation.ErrorCode) -> String {
        switch code {
        case .parseError:
            return "the request body must be a JSON object such as {\"context\": {\"targetingKey\": \"user-1\"}}"
        case .invalidContext: return "context must be a JSON object whose targetingKey, when given, is a string"
        default: return code.rawValue
        }
    }

    /// The answer to a single evaluation.
    public static func single(key: String, body: ByteBuffer?, snapshot: FlagSnapshot) -> Response {
        let evaluation: FlagEvaluation
        switch parse(body) {
        case .failure(let code): evaluation = .failure(key: key, code: code, details: details(code))
        case .success(let context): evaluation = FlagEvaluator.evaluate(key, in: snapshot, context: context)
        }
        let status: Int
        if case .failure(_, let code, _) = evaluation { status = code.status } else { status = 200 }
        return json(evaluation.json, status: status)
    }

    /// The answer to a bulk evaluation: 304 when `ifNoneMatch` names the current ETag.
    public static func bulk(body: ByteBuffer?, ifNoneMatch: String?, snapshot: FlagSnapshot) -> Response {
        let context: EvaluationContext
        switch parse(body) {
        case .failure(let code):
            return json(
                .object([("errorCode", .string(code.rawValue)), ("errorDetails", .string(details(code)))]),
                status: 400)
        case .success(let parsed): context = parsed
        }
        let etag = bulkETag(snapshot: snapshot, body: body)
        var headers = HTTPFields()
        headers[.eTag] = etag
        if let ifNoneMatch, matches(ifNoneMatch, etag) {
            return Response(status: .notModified, headers: headers)
        }
        let flags = FlagEvaluator.evaluateAll(in: snapshot, context: context)
        let document = JSONValue.object([
            ("flags", .array(flags.map(\.json))),
            ("metadata", .object([("version", .string(String(snapshot.lastChange)))])),
        ])
        return json(document, status: 200, headers: headers)
    }

    /// The ETag of a bulk answer: the flag set's version and a digest of the request's context, since
    /// the same flags evaluate differently for another context.
    static func bulkETag(snapshot: FlagSnapshot, body: ByteBuffer?) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        if let body {
            for byte in body.readableBytesView {
                hash ^= UInt64(byte)
                hash &*= 0x100_0000_01b3
            }
        }
        let digest = String(hash, radix: 16)
        return "\"\(snapshot.lastChange)-\(String(repeating: "0", count: 16 - digest.count))\(digest)\""
    }

    /// Whether an If-None-Match value (`*`, or a list of entity tags, weak or strong) names `etag`.
    static func matches(_ header: String, _ etag: String) -> Bool {
        header.split(separator: ",").contains { part in
            var tag = part.trimmingCharacters(in: .whitespaces)
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag.removeFirst(2) }
            return tag == etag
        }
    }

    static func json(_ value: JSONValue, status: Int, headers: HTTPFields = HTTPFields()) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        let text = value.serialized()
        return Response(
            status: .init(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}

// MARK: - Serving alone

extension OFREPService {
    /// Serves the OFREP routes on `host:port` until cancelled, or until SIGINT or SIGTERM when
    /// `signals` is true; reads the flags first and then polls. `onListening` receives the bound port.
    public func run(
        host: String, port: Int, signals: Bool = false, onListening: @escaping @Sendable (Int) -> Void = { _ in }
    ) async throws {
        try await store.refresh()
        let router = Router()
        mount(on: router)
        router.get("/healthz") { _, _ in "ok\n" }
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: port), serverName: "greenlight-flags"),
            onServerRunning: { channel in if let port = channel.localAddress?.port { onListening(port) } },
            logger: Logger(label: "greenlight.flags") { _ in SwiftLogNoOpLogHandler() })
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.runService(gracefulShutdownSignals: signals ? [.sigterm, .sigint] : []) }
            group.addTask { await poll() }
            // The server ends first (a signal, or an error); then the poller stops with it.
            _ = try await group.next()
            group.cancelAll()
        }
    }

    /// Starts serving on a background task and returns once the port is bound (tests, embedding).
    public func start(host: String = "127.0.0.1", port: Int = 0) async throws -> RunningOFREPServer {
        let bound = AsyncStream<Int>.makeStream()
        let task = Task {
            do {
                try await run(host: host, port: port) { _ = bound.continuation.yield($0) }
            } catch {}
            bound.continuation.finish()
        }
        var ports = bound.stream.makeAsyncIterator()
        guard let port = await ports.next() else {
            task.cancel()
            throw FlagError("the OFREP server could not listen on \(host):\(port)")
        }
        return RunningOFREPServer(host: host, port: port, task: task)
    }
}

/// An OFREP server started with ``OFREPService/start(host:port:)``.
public struct RunningOFREPServer: Sendable {
    public let host: String
    public let port: Int
    let task: Task<Void, Never>

    /// `http://host:port`.
    public var baseURL: String { "http://\(host):\(port)" }

    /// Stops the server and its poller.
    public func stop() async {
        task.cancel()
        await task.value
    }
}
