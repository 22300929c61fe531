import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// greenlight's own webhook receiver: an HTTP server that takes Alertmanager's notifications (payload
/// version 4) and records each with its arrival time, so that a check can wait for the one carrying
/// its test alert. A payload it cannot read is answered 400 and kept as a problem.
package final class WebhookReceiver: Sendable {
    /// The largest body it reads.
    static let bodyLimit = 1 << 20

    /// Where it listens, as the spec wrote it (`host:port`).
    package let address: String
    /// The port it listens on (the free one chosen when the address asked for port 0).
    package let port: Int
    private let inbox: WebhookInbox
    private let task: Task<Void, Never>

    private init(address: String, port: Int, inbox: WebhookInbox, task: Task<Void, Never>) {
        self.address = address
        self.port = port
        self.inbox = inbox
        self.task = task
    }

    /// Starts listening on `address` (`host:port`, `[::1]:port`) and returns once connections are accepted.
    package static func start(on address: String) async throws -> WebhookReceiver {
        let (host, port) = try endpoint(address)
        let inbox = WebhookInbox()
        let bound = StartSignal()
        let app = Application(
            responder: WebhookResponder(inbox: inbox),
            configuration: .init(address: .hostname(host, port: port)),
            onServerRunning: { channel in bound.settle(.success(channel.localAddress?.port ?? port)) },
            logger: Logger(label: "greenlight.webhook") { _ in SwiftLogNoOpLogHandler() })
        let task = Task {
            do {
                try await app.run()
                bound.settle(.failure(WebhookReceiverError("the server stopped before it accepted connections")))
            } catch {
                bound.settle(.failure(error))
            }
        }
        do {
            let port = try await withTaskCancellationHandler {
                try await bound.value()
            } onCancel: {
                task.cancel()
            }
            return WebhookReceiver(address: address, port: port, inbox: inbox, task: task)
        } catch {
            task.cancel()
            await task.value
            throw WebhookReceiverError(
                "cannot listen on \(address) for Alertmanager's notifications: \(listenProblem(error))")
        }
    }

    /// Stops listening and closes every connection.
    package func stop() async {
        task.cancel()
        await task.value
    }

    /// The notifications received so far, in order of arrival.
    package var notifications: [ReceivedNotification] { inbox.notifications }

    /// What was wrong with the payloads it refused, in order.
    package var problems: [String] { inbox.problems }

    /// The first notification (already received or still to come) that `match` accepts; nil when none
    /// has come by `deadline` or the task is cancelled.
    package func notification(
        until deadline: ContinuousClock.Instant, where match: @escaping @Sendable (ReceivedNotification) -> Bool
    ) async -> ReceivedNotification? {
        await inbox.first(where: match, until: deadline)
    }

    /// `host` and `port` of `host:port` or `[v6]:port`.
    static func endpoint(_ address: String) throws -> (host: String, port: Int) {
        let refused = WebhookReceiverError("the webhook address '\(address)' is not host:port, such as 127.0.0.1:9097")
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
            (0...65535).contains(port)
        else { throw refused }
        var host = String(address[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw refused }
        return (host, port)
    }

    private static func listenProblem(_ error: any Error) -> String {
        if let error = error as? WebhookReceiverError { return error.description }
        let text = "\(error)"
        if text.contains("Address already in use") || text.contains("errno: 98") {
            return "the address is in use (another program listens there)"
        }
        if text.contains("Cannot assign requested address") || text.contains("errno: 99") {
            return "the host is not an address of this machine"
        }
        return text
    }
}

/// A notification as it arrived.
package struct ReceivedNotification: Sendable {
    package var notification: WebhookNotification
    /// When its body had arrived in full.
    package var arrived: ContinuousClock.Instant
    package var path: String
}

/// Why the webhook receiver cannot run.
package struct WebhookReceiverError: Error, Sendable, CustomStringConvertible {
    package var description: String

    init(_ description: String) { self.description = description }
}

/// Answers every request: a notification is recorded and answered 200, anything else 4xx.
private struct WebhookResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let inbox: WebhookInbox

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        guard request.method == .post else {
            return Self.answer(.methodNotAllowed, "greenlight's webhook receiver takes Alertmanager's POSTs only")
        }
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: WebhookReceiver.bodyLimit)
        } catch {
            inbox.refuse("\(path): the body is larger than 1 MiB or was cut off")
            return Self.answer(.contentTooLarge, "the body is larger than 1 MiB")
        }
        let arrived = ContinuousClock.now
        do {
            let notification = try WebhookNotification(parsing: Data(body.readableBytesView))
            inbox.record(ReceivedNotification(notification: notification, arrived: arrived, path: path))
            return Response(status: .ok)
        } catch {
            inbox.refuse("\(path): \(error)")
            return Self.answer(.badRequest, "greenlight cannot read this webhook payload: \(error)")
        }
    }

    private static func answer(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(
            status: status, headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}

/// The outcome of starting the server, which the task running it settles once.
private final class StartSignal: Sendable {
    private struct State {
        var result: Result<Int, any Error>?
        var waiter: CheckedContinuation<Int, any Error>?
    }

    private let state = Mutex(State())

    func settle(_ result: Result<Int, any Error>) {
        let waiter = state.withLock { state -> CheckedContinuation<Int, any Error>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(with: result)
    }

    func value() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let settled = state.withLock { state -> Result<Int, any Error>? in
                if let result = state.result { return result }
                state.waiter = continuation
                return nil
            }
            if let settled { continuation.resume(with: settled) }
        }
    }
}
