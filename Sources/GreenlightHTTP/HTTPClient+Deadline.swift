import AsyncHTTPClient
import GreenlightCore
import NIOCore
import NIOHTTP1
import Synchronization

/// How far one HTTP exchange got, for the reason given when its deadline strikes.
package enum HTTPStage: Sendable, Equatable {
    /// Resolving the name, connecting and, for https, the TLS handshake: no byte of the request is
    /// written yet. AsyncHTTPClient does not tell a TCP connect from a TLS handshake.
    case connecting
    /// Writing the request.
    case sending
    /// The request is written; the response head has not come.
    case waiting
    /// The response head came; its body is not complete: `received` bytes so far, of `expected`
    /// when the head gave a Content-Length.
    case readingBody(received: Int, expected: Int?)
}

/// An exchange that did not end before its deadline, and the stage it was at.
package struct HTTPDeadlineExceeded: Error, Sendable {
    package var stage: HTTPStage
}

/// A response body larger than the exchange allows.
package struct HTTPBodyTooLarge: Error, Sendable {
    package var limit: Int
}

/// A request greenlight does not send, whoever built it (smoke, dependencies, parity, observability,
/// a redirect): a port outside 1-65535, or a method or header that is not valid HTTP. The
/// description names the header, never its value, which may be a credential.
package struct HTTPRequestRefused: Error, Sendable, CustomStringConvertible {
    package var description: String

    /// Why `request` cannot be sent, or nil when it can.
    static func problem(_ request: HTTPClient.Request) -> String? {
        if let problem = URLPort.problem(in: request.url.absoluteString) {
            return "'\(DisplayURL.withoutPassword(request.url.absoluteString))' \(problem)"
        }
        return HTTPFieldSyntax.problem(
            method: request.method.rawValue, headers: request.headers.map { (name: $0.name, value: $0.value) })
    }
}

/// A response read to its end.
package struct HTTPAnswer: Sendable {
    package var head: HTTPResponseHead
    /// The body, or its first bytes when the exchange keeps only those.
    package var body: ByteBuffer
}

/// What to do with a body longer than a limit.
package enum HTTPBodyLimit: Sendable {
    /// Fail the exchange with ``HTTPBodyTooLarge``.
    case failAbove(Int)
    /// Keep this many bytes and read the rest to the end without keeping it.
    case keepFirst(Int)
}

extension HTTPClient {
    /// Sends `request` and reads its response to the end, every stage (connect, TLS handshake,
    /// request, response head, body) before `deadline`.
    ///
    /// When the deadline strikes, the request is failed (its connection closed) and this throws
    /// ``HTTPDeadlineExceeded`` with the stage it was at, at once: a timer on an event loop decides,
    /// not the library. The client's connect timeout should end by the deadline too, or a
    /// connection still being opened delays the client's shutdown.
    package func exchange(
        _ request: HTTPClient.Request, deadline: NIODeadline, body limit: HTTPBodyLimit,
        onStage: @escaping @Sendable (HTTPStage) -> Void = { _ in }
    ) async throws -> HTTPAnswer {
        if let problem = HTTPRequestRefused.problem(request) { throw HTTPRequestRefused(description: problem) }
        let loop = eventLoopGroup.next()
        let delegate = DeadlineDelegate(answer: loop.makePromise(), limit: limit, onStage: onStage)
        let task = execute(request: request, delegate: delegate, eventLoop: .delegate(on: loop))
        delegate.watch(task, until: deadline)
        return try await withTaskCancellationHandler {
            try await delegate.answer.futureResult.get()
        } onCancel: {
            delegate.finish(.failure(CancellationError()), task: task)
        }
    }
}

/// Follows an exchange through its stages, collects the response, and fails it at its deadline.
private final class DeadlineDelegate: HTTPClientResponseDelegate {
    typealias Response = Void

    private struct State {
        var stage = HTTPStage.connecting
        var head: HTTPResponseHead?
        var body = ByteBuffer()
        var finished = false
        var timer: Scheduled<Void>?
    }

    let answer: EventLoopPromise<HTTPAnswer>
    private let limit: HTTPBodyLimit
    private let onStage: @Sendable (HTTPStage) -> Void
    private let state = Mutex(State())

    init(answer: EventLoopPromise<HTTPAnswer>, limit: HTTPBodyLimit, onStage: @escaping @Sendable (HTTPStage) -> Void) {
        self.answer = answer
        self.limit = limit
        self.onStage = onStage
    }

    /// Fails `task` with the stage it is at when `deadline` comes first.
    func watch(_ task: HTTPClient.Task<Void>, until deadline: NIODeadline) {
        let timer = answer.futureResult.eventLoop.scheduleTask(deadline: deadline) {
            let stage = self.state.withLock { $0.stage }
            self.finish(.failure(HTTPDeadlineExceeded(stage: stage)), task: task)
        }
        let finished = state.withLock { state in
            if !state.finished { state.timer = timer }
            return state.finished
        }
        if finished { timer.cancel() }
        // Should the library end the task without telling the delegate.
        task.futureResult.whenFailure { self.finish(.failure($0), task: nil) }
    }

    /// Settles the exchange once; a failure also fails the task, which closes its connection.
    func finish(_ result: Result<HTTPAnswer, any Error>, task: HTTPClient.Task<Void>?) {
        let (first, timer) = state.withLock { state -> (Bool, Scheduled<Void>?) in
            guard !state.finished else { return (false, nil) }
            state.finished = true
            defer { state.timer = nil }
            return (true, state.timer)
        }
        guard first else { return }
        timer?.cancel()
        if case .failure(let error) = result { task?.fail(reason: error) }
        answer.completeWith(result)
    }

    private func move(to stage: HTTPStage) {
        state.withLock { $0.stage = stage }
        onStage(stage)
    }

    func didSendRequestHead(task: HTTPClient.Task<Void>, _ head: HTTPRequestHead) {
        move(to: .sending)
    }

    func didSendRequest(task: HTTPClient.Task<Void>) {
        move(to: .waiting)
    }

    func didReceiveHead(task: HTTPClient.Task<Void>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        let expected = head.headers.first(name: "Content-Length").flatMap { Int($0) }
        state.withLock { $0.head = head }
        move(to: .readingBody(received: 0, expected: expected))
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<Void>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        var buffer = buffer
        let limit = limit
        let (stage, tooLarge): (HTTPStage, Bool) = state.withLock { state in
            guard case .readingBody(let received, let expected) = state.stage else { return (state.stage, false) }
            let total = received + buffer.readableBytes
            state.stage = .readingBody(received: total, expected: expected)
            switch limit {
            case .failAbove(let most):
                if total > most { return (state.stage, true) }
                state.body.writeBuffer(&buffer)
            case .keepFirst(let most):
                let room = max(0, most - state.body.readableBytes)
                if var kept = buffer.readSlice(length: min(room, buffer.readableBytes)) {
                    state.body.writeBuffer(&kept)
                }
            }
            return (state.stage, false)
        }
        onStage(stage)
        if case .failAbove(let most) = limit, tooLarge {
            return task.eventLoop.makeFailedFuture(HTTPBodyTooLarge(limit: most))
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveError(task: HTTPClient.Task<Void>, _ error: any Error) {
        finish(.failure(error), task: nil)
    }

    func didFinishRequest(task: HTTPClient.Task<Void>) throws {
        let answer: HTTPAnswer? = state.withLock { state in
            state.head.map { HTTPAnswer(head: $0, body: state.body) }
        }
        if let answer {
            finish(.success(answer), task: nil)
        } else {
            finish(.failure(HTTPClientError.remoteConnectionClosed), task: nil)
        }
    }
}
