import Foundation
import GreenlightCore
import GreenlightHTTP
import NIOCore
import NIOPosix
import NIOSSL

/// Opening, reopening and closing a worker's connections.
extension LoopWorker {
    var openConnections: Int { connections.reduce(0) { $0 + ($1.isReady ? 1 : 0) } }

    /// Opens every connection, `window` at a time; the future completes when each is ready or has failed
    /// once, or at `deadline` (uptime nanoseconds), whichever comes first: the connections not tried by
    /// then go on opening while the run goes, so a target that refuses or stalls cannot hold the run
    /// before its start for longer than that.
    func connectAll(window: Int, deadline: UInt64) -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        opening = (next: 0, pending: 0, window: window)
        connectPhase = promise
        connectDeadline = loop.scheduleTask(deadline: .uptimeNanoseconds(deadline)) { self.endConnectPhase() }
        launchConnects()
        return promise.futureResult
    }

    /// The run no longer waits for the connections still to open (its deadline passed, or it was stopped).
    func endConnectPhase() {
        connectPhase?.succeed(())
        connectPhase = nil
        // No task left behind on the loop once the phase is over.
        connectDeadline?.cancel()
        connectDeadline = nil
    }

    private func launchConnects() {
        guard var o = opening else { return }
        while o.pending < o.window, o.next < connections.count, !stopping, !stopBeforeStart {
            let conn = connections[o.next]
            o.next += 1
            o.pending += 1
            opening = o
            connect(conn).whenComplete { _ in
                self.opening?.pending -= 1
                self.launchConnects()
            }
            guard let updated = opening else { return }
            o = updated
        }
        opening = o
        if o.next == connections.count || stopping || stopBeforeStart, o.pending == 0 {
            opening = nil
            endConnectPhase()
        }
    }

    /// Opens `conn`; the future completes when it is ready for requests (after the TLS handshake) or
    /// when this attempt failed.
    @discardableResult
    func connect(_ conn: LoadConnection) -> EventLoopFuture<Void> {
        conn.state = .connecting
        let attempt = loop.makePromise(of: Void.self)
        conn.attempt = attempt
        conn.generation &+= 1
        let generation = conn.generation
        let limit = min(plan.requestTimeout, 10)
        let target = plan.target
        let ssl = sslContext
        // TCP has its connect timeout; a TLS handshake that never completes needs its own (and only a
        // TLS connection has one: a plain one that is slow to connect is the connect timeout's).
        if ssl != nil {
            loop.scheduleTask(in: .milliseconds(Int64(limit * 1000) + 50)) {
                guard conn.generation == generation, !conn.isReady, conn.context != nil, conn.state != .closed else {
                    return
                }
                self.note("the TLS handshake did not complete within \(Format.duration(limit))")
                self.count(.connect)
                conn.failures += 1
                conn.close()
            }
        }
        let bootstrap = ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.socketOption(.so_reuseaddr), value: 1)
            .connectTimeout(.milliseconds(Int64(min(plan.requestTimeout, 10) * 1000)))
            .channelInitializer { channel in
                do {
                    if let ssl {
                        let handler = try NIOSSLClientHandler(
                            context: ssl, serverHostname: target.host.first?.isNumber == true ? nil : target.host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHandler(conn)
                    return channel.eventLoop.makeSucceededVoidFuture()
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
            }
        // A literal address is connected to as it is: no resolver runs (its answer would come back to a
        // loop that may have shut down by then), and no Happy Eyeballs timers per connection.
        let connecting =
            if let address = targetAddress {
                bootstrap.connect(to: address)
            } else {
                bootstrap.connect(host: target.host, port: target.port)
            }
        connecting
            .whenFailure { error in
                // No channel came of it, whether or not a close was asked for meanwhile.
                if conn.state == .connecting || conn.state == .closing(was: nil) { conn.state = .closed }
                conn.attempt = nil
                attempt.succeed(())
                self.connectFailed(conn, error: error)
            }
        return attempt.futureResult
    }

    /// Ends the run on this loop for good: no reconnects, every channel closed, no references kept.
    func shutdown() {
        stopping = true
        finished = true
        onFinished = nil
        for conn in connections {
            conn.active = false
            conn.close()
        }
        connections.removeAll()
        idle.removeAll()
    }

    func connectFailed(_ conn: LoadConnection, error: Error) {
        // An attempt the run's own stop cut short says nothing about the target.
        if stopping || stopBeforeStart { return checkFinished() }
        conn.failures += 1
        count(.connect)
        note(Self.describe(error))
        guard !stopping else { return checkFinished() }
        reconnectLater(conn)
    }

    func connectionReady(_ conn: LoadConnection) {
        if let pending = conn.pendingWrite {
            // A session step waited for this connection to reopen.
            conn.pendingWrite = nil
            conn.capture = ByteBufferAllocator().buffer(capacity: 1024)
            let now = Self.now()
            conn.write(pending.request, intended: pending.intended, now: now, isHead: pending.isHead)
            let s = slot(now)
            seconds[s].sent += 1
            seconds[s].bytesOut += UInt64(pending.request.readableBytes)
            return
        }
        if conn.lent { return }
        guard start != 0, !stopping else {
            idle.append(conn)
            return
        }
        makeIdle(conn)
    }

    func closed(_ conn: LoadConnection) {
        let wasBusy = conn.isBusy
        let wasReady = conn.isReady
        // Greenlight asked for this close (a timeout, a malformed response, the end): not the server.
        let ours: Bool
        if case .closing = conn.state { ours = true } else { ours = false }
        if wasBusy {
            count(.protocolError)
            note("the connection closed before the response was complete")
            failSession(conn, "the connection closed before the response was complete")
        }
        let answered = conn.responsesOnChannel > 0
        let thinkingUntil = conn.thinkingUntil
        conn.reset()
        conn.resumeThinkAt = thinkingUntil
        if let i = idle.firstIndex(where: { $0 === conn }) { idle.remove(at: i) }
        if stopping {
            checkFinished()
        } else if wasReady && answered {
            // Closed after serving (keep-alive limit, idle timeout): open a new one at once.
            conn.failures = 0
            connect(conn)
        } else {
            // A failed TLS handshake, or a server that closes before answering: back off, so a
            // refusing server does not get a reconnect storm.
            if wasReady && !ours { note("the server closed a connection before answering on it") }
            conn.failures += 1
            reconnectLater(conn)
        }
    }

    /// Reopens `conn` after a back-off: 50 ms, 100 ms … at most 1 s.
    func reconnectLater(_ conn: LoadConnection) {
        let delay = min(1000, 50 << min(max(conn.failures, 1) - 1, 5))
        let generation = conn.generation
        loop.scheduleTask(in: .milliseconds(Int64(delay))) {
            guard !self.stopping, conn.generation == generation, conn.state == .closed else { return }
            self.connect(conn)
        }
    }

    func note(error: Error, on conn: LoadConnection) {
        if !conn.isReady {
            // A TLS handshake that failed: the connection never became usable.
            count(.connect)
            conn.failures += 1
        }
        note(Self.describe(error))
    }

    static func describe(_ error: Error) -> String {
        if let e = error as? NIOConnectionError, let first = e.connectionErrors.first {
            return describe(first.error)
        }
        if let e = error as? IOError {
            switch e.errnoCode {
            case ECONNREFUSED: return "connection refused"
            case ECONNRESET: return "connection reset by peer"
            case ETIMEDOUT: return "connection timed out"
            case EHOSTUNREACH, ENETUNREACH: return "host unreachable"
            case EMFILE, ENFILE: return "too many open files (raise ulimit -n)"
            case EADDRNOTAVAIL: return "no local port free (too many connections)"
            default: return e.description
            }
        }
        if error is ChannelError, case .connectTimeout = error as! ChannelError { return "connect timed out" }
        if let e = error as? NIOSSLError { return "TLS: \(e)" }
        if let e = error as? BoringSSLError { return "TLS: \(e)" }
        return "\(error)"
    }
}
