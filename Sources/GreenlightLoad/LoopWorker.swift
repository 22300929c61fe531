import Foundation
import GreenlightCore
import GreenlightHTTP
import GreenlightProbes
import NIOCore
import NIOPosix
import NIOSSL

/// Counters of one second on one event loop; plain fields, no dictionaries, for the hot path.
struct SecondStats {
    var second: Int
    var sent: UInt64 = 0
    var responses: UInt64 = 0
    var dropped: UInt64 = 0
    var iterations: UInt64 = 0
    var bytesIn: UInt64 = 0
    var bytesOut: UInt64 = 0
    var errors = [UInt64](repeating: 0, count: ErrorClass.allCases.count)
    var latency = LatencyHistogram(significantDigits: .two)

    init(second: Int) { self.second = second }

    var timeline: TimelineSecond {
        var t = TimelineSecond(second: second)
        t.counters.sent = sent
        t.counters.responses = responses
        t.counters.dropped = dropped
        t.counters.iterations = iterations
        t.counters.bytesIn = bytesIn
        t.counters.bytesOut = bytesOut
        for (i, c) in ErrorClass.allCases.enumerated() where errors[i] > 0 { t.counters.errors[c.rawValue] = errors[i] }
        t.latency = latency
        return t
    }
}

/// The part of a run on one event loop: its connections, its share of the schedule, its histogram.
/// Confined to `loop`; the engine reaches it only through `loop.execute` / `submit`.
final class LoopWorker: @unchecked Sendable {
    let loop: EventLoop
    let plan: LoadPlan
    let index: Int
    let order: [Int]
    let sslContext: NIOSSLContext?
    var connections: [LoadConnection] = []
    var idle: [LoadConnection] = []

    // Schedule (open model): this loop takes arrivals offset, offset + stride, … of the whole profile.
    let stride: Double
    var nextArrival: Double
    var nextArrivalAt: UInt64?
    var backlog = Ring()

    var start: UInt64 = 0
    var end: UInt64 = 0
    var stopping = false
    var finished = false
    var onFinished: (() -> Void)?
    var tickScheduled = false

    var latency = LatencyHistogram()
    var seconds: [SecondStats] = []
    var baseSecond = 0
    var problems: [String: Int] = [:]
    var activeSessions = 0
    var stoppedAt: UInt64 = 0
    /// Unique data ran out: closed-model users stop for good.
    var dataExhausted = false
    /// Arrivals dropped because every connection stayed busy (not for want of data).
    var busyDrops: UInt64 = 0
    var opening: (next: Int, pending: Int, window: Int, promise: EventLoopPromise<Void>)?

    init(loop: EventLoop, plan: LoadPlan, index: Int, connections count: Int, sslContext: NIOSSLContext?) {
        self.loop = loop
        self.plan = plan
        self.index = index
        self.sslContext = sslContext
        order = plan.order
        // Arrival k belongs to slice k mod n; within a slice, to loop (k div n) mod threads.
        stride = Double(plan.threads * plan.slice.count)
        nextArrival = Double(plan.slice.index - 1 + plan.slice.count * index)
        for i in 0..<count { connections.append(LoadConnection(worker: self, index: i)) }
    }

    @inline(__always) static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

    // MARK: Connecting

    /// Opens every connection, `window` at a time; the future completes when each is ready or has failed once.
    func connectAll(window: Int) -> EventLoopFuture<Void> {
        let promise = loop.makePromise(of: Void.self)
        opening = (next: 0, pending: 0, window: window, promise: promise)
        launchConnects()
        return promise.futureResult
    }

    private func launchConnects() {
        guard var o = opening else { return }
        while o.pending < o.window, o.next < connections.count {
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
        if o.next == connections.count, o.pending == 0 {
            opening = nil
            o.promise.succeed(())
        }
    }

    /// Opens `conn`; the future completes when it is ready for requests (after the TLS handshake) or
    /// when this attempt failed.
    @discardableResult
    func connect(_ conn: LoadConnection) -> EventLoopFuture<Void> {
        conn.connecting = true
        let attempt = loop.makePromise(of: Void.self)
        conn.attempt = attempt
        conn.generation &+= 1
        let generation = conn.generation
        let limit = min(plan.requestTimeout, 10)
        // TCP has its connect timeout; a TLS handshake that never completes needs its own.
        loop.scheduleTask(in: .milliseconds(Int64(limit * 1000) + 50)) {
            guard conn.generation == generation, !conn.ready, conn.context != nil else { return }
            self.note("the TLS handshake did not complete within \(formatSeconds(limit))")
            self.count(.connect)
            conn.failures += 1
            conn.close()
        }
        let target = plan.target
        let ssl = sslContext
        ClientBootstrap(group: loop)
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
            .connect(host: target.host, port: target.port)
            .whenFailure { error in
                conn.connecting = false
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
        conn.busy = false
        if conn.lent { return }
        guard start != 0, !stopping else {
            idle.append(conn)
            return
        }
        makeIdle(conn)
    }

    func closed(_ conn: LoadConnection) {
        let wasBusy = conn.busy
        let wasReady = conn.ready
        if wasBusy {
            count(.protocolError)
            note("the connection closed before the response was complete")
            failSession(conn, "the connection closed before the response was complete")
        }
        let answered = conn.responsesOnChannel > 0
        let thinkingUntil = conn.thinking ? conn.thinkUntil : nil
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
            if wasReady { note("the server closed a connection before answering on it") }
            conn.failures += 1
            reconnectLater(conn)
        }
    }

    /// Reopens `conn` after a back-off: 50 ms, 100 ms … at most 1 s.
    func reconnectLater(_ conn: LoadConnection) {
        let delay = min(1000, 50 << min(max(conn.failures, 1) - 1, 5))
        let generation = conn.generation
        loop.scheduleTask(in: .milliseconds(Int64(delay))) {
            guard !self.stopping, conn.generation == generation, !conn.connecting, !conn.ready else { return }
            self.connect(conn)
        }
    }

    // MARK: Running

    func begin(at start: UInt64, onFinished: @escaping () -> Void) {
        self.start = start
        end = start + UInt64(plan.profile.totalSeconds * 1e9)
        self.onFinished = onFinished
        switch plan.model {
        case .open:
            nextArrivalAt = plan.profile.time(ofArrival: nextArrival).map { start + UInt64($0 * 1e9) }
            scheduleTick(at: nextArrivalAt ?? end)
        case .closed:
            adjustUsers()
        }
        scheduleSweep()
        loop.scheduleTask(deadline: NIODeadline.uptimeNanoseconds(end)) { self.stop() }
    }

    private func scheduleTick(at deadline: UInt64) {
        guard !tickScheduled, !stopping else { return }
        tickScheduled = true
        let earliest = Self.now() + 200_000
        loop.scheduleTask(deadline: .uptimeNanoseconds(max(deadline, earliest))) {
            self.tickScheduled = false
            self.tick()
        }
    }

    /// Starts every arrival that is due, in order, each with its intended start time.
    func tick() {
        guard !stopping else { return }
        let now = Self.now()
        while let at = nextArrivalAt, at <= now {
            arrive(intended: at, sequence: Int(nextArrival))
            nextArrival += stride
            nextArrivalAt = plan.profile.time(ofArrival: nextArrival).map { start + UInt64($0 * 1e9) }
        }
        expireBacklog(now: now)
        if let at = nextArrivalAt { scheduleTick(at: at) }
    }

    @inline(__always)
    private func arrive(intended: UInt64, sequence: Int) {
        if backlog.isEmpty, let conn = idle.popLast() {
            run(order[sequence % order.count], on: conn, intended: intended)
        } else {
            backlog.append(intended, UInt64(sequence))
        }
    }

    private func expireBacklog(now: UInt64) {
        let limit = UInt64(plan.maximumQueueDelay * 1e9)
        while let (intended, _) = backlog.first, now &- intended > limit {
            backlog.removeFirst()
            seconds[slot(now)].dropped += 1
            busyDrops += 1
        }
    }

    /// A connection is free: give it the oldest waiting arrival, the closed model's next iteration, or rest.
    /// `now`, when the caller has just read the clock, saves reading it again on the hot path.
    func makeIdle(_ conn: LoadConnection, now known: UInt64? = nil) {
        guard !conn.closing else { return }  // it reopens, and comes back through connectionReady
        guard !stopping || (plan.model == .open && !backlog.isEmpty) else {
            idle.append(conn)
            return checkFinished()
        }
        switch plan.model {
        case .open:
            let now = known ?? Self.now()
            expireBacklog(now: now)
            if let (intended, sequence) = backlog.first {
                backlog.removeFirst()
                run(order[Int(sequence) % order.count], on: conn, intended: intended, now: now)
            } else {
                idle.append(conn)
            }
        case .closed:
            guard conn.active else { return idle.append(conn) }
            let sequence = Int(nextArrival)
            nextArrival += stride
            let now = known ?? Self.now()
            // The pause before this iteration: a fresh think time after a response, or what was left
            // of one that a reconnect interrupted.
            var wakeAt: UInt64?
            if let resume = conn.resumeThinkAt {
                conn.resumeThinkAt = nil
                wakeAt = resume > now ? resume : nil
            } else if plan.thinkTime > 0 {
                wakeAt = now + UInt64(plan.thinkTime * 1e9)
            }
            guard let wakeAt else {
                return run(order[sequence % order.count], on: conn, intended: now, now: now)
            }
            // Thinking is not a request in flight: the sweep and a server's idle close leave it be.
            conn.thinking = true
            conn.thinkUntil = wakeAt
            let generation = conn.generation
            loop.scheduleTask(deadline: .uptimeNanoseconds(wakeAt)) {
                guard conn.generation == generation, conn.thinking else { return }
                conn.thinking = false
                guard !self.stopping, conn.ready, conn.active else {
                    if conn.ready { self.idle.append(conn) }
                    return self.checkFinished()
                }
                self.run(self.order[sequence % self.order.count], on: conn, intended: Self.now())
            }
        }
    }

    /// Closed model: as many connections active as the profile's virtual users for this loop.
    func adjustUsers() {
        guard !stopping, !dataExhausted, plan.model == .closed else { return }
        let t = Double(Self.now() &- start) / 1e9
        let total = Int(plan.profile.level(at: t).rounded(.up))
        let mine = total / plan.threads + (index < total % plan.threads ? 1 : 0)
        var activeCount = connections.reduce(0) { $0 + ($1.active ? 1 : 0) }
        for conn in connections where activeCount < mine && !conn.active {
            conn.active = true
            activeCount += 1
            if conn.ready, !conn.busy, let i = idle.firstIndex(where: { $0 === conn }) {
                idle.remove(at: i)
                makeIdle(conn)
            }
        }
        for conn in connections.reversed() where activeCount > mine && conn.active {
            conn.active = false
            activeCount -= 1
        }
        loop.scheduleTask(in: .milliseconds(100)) { self.adjustUsers() }
    }

    @inline(__always)
    private func run(_ action: Int, on conn: LoadConnection, intended: UInt64, now known: UInt64? = nil) {
        switch plan.actions[action] {
        case .fixed(_, let request, let isHead):
            let now = known ?? Self.now()
            conn.countsStatus = true
            conn.write(request, intended: intended, now: now, isHead: isHead)
            let s = slot(now)
            seconds[s].sent += 1
            seconds[s].bytesOut += UInt64(request.readableBytes)
        case .session(let name, let script):
            startSession(name: name, script: script, on: conn, intended: intended)
        }
    }

    // MARK: Responses

    @inline(__always)
    func responded(_ conn: LoadConnection, _ response: HTTPResponseParser.Response) {
        guard conn.busy else {
            // Nothing was asked on this connection (a 408 on an idle one, or an answer after a timeout).
            note("a response arrived that no request was waiting for")
            conn.close()
            return
        }
        conn.responsesOnChannel += 1
        let now = Self.now()
        conn.busy = false
        let micros = (now &- conn.intended) / 1000
        latency.record(microseconds: micros)
        let s = slot(now)
        seconds[s].responses += 1
        seconds[s].bytesIn += UInt64(response.wireBytes)
        seconds[s].latency.record(microseconds: micros)
        if conn.countsStatus {
            if response.status >= 500 {
                seconds[s].errors[ErrorClass.status5xx.slot] += 1
            } else if response.status >= 400 {
                seconds[s].errors[ErrorClass.status4xx.slot] += 1
            }
        }
        if let promise = conn.promise {
            conn.promise = nil
            let raw = conn.capture ?? ByteBuffer()
            conn.capture = nil
            promise.succeed(RawResponse.record(from: raw, seconds: Double(now &- conn.sentAt) / 1e9))
            conn.capture = nil
            if !response.keepAlive { conn.close() }
            return
        }
        if !response.keepAlive {
            conn.close()
            return
        }
        if !conn.lent { makeIdle(conn, now: now) }
    }

    func failed(_ conn: LoadConnection, _ kind: ErrorClass, reason: String) {
        if conn.busy {
            count(kind)
            note(reason)
            failSession(conn, reason)
            conn.busy = false
        }
        conn.close()
    }

    func note(error: Error, on conn: LoadConnection) {
        if !conn.ready {
            // A TLS handshake that failed: the connection never became usable.
            count(.connect)
            conn.failures += 1
        }
        note(Self.describe(error))
    }

    /// The index in `seconds` of the second `now` falls in, created on first use.
    @inline(__always)
    func slot(_ now: UInt64) -> Int {
        // Before the run starts (connection errors while the pool opens): second 0.
        guard start != 0, now > start else { return seconds.isEmpty ? slowSlot(0) : 0 }
        let offset = Int((now &- start) / 1_000_000_000) - baseSecond
        if offset >= 0, offset < seconds.count { return offset }
        return slowSlot(Int((now &- start) / 1_000_000_000))
    }

    private func slowSlot(_ second: Int) -> Int {
        if seconds.isEmpty { baseSecond = min(second, baseSecond) }
        // A late event for a second already collected counts in the oldest open one.
        if second < baseSecond {
            if seconds.isEmpty { seconds.append(SecondStats(second: baseSecond)) }
            return 0
        }
        while baseSecond + seconds.count <= second {
            seconds.append(SecondStats(second: baseSecond + seconds.count))
        }
        return second - baseSecond
    }

    func count(_ kind: ErrorClass) {
        seconds[slot(Self.now())].errors[kind.slot] += 1
    }

    func note(_ problem: String) {
        if problems[problem] != nil || problems.count < 32 { problems[problem, default: 0] += 1 }
    }

    // MARK: Timeouts and the end

    private func scheduleSweep() {
        loop.scheduleTask(in: .milliseconds(100)) {
            self.sweep()
            if !self.finished { self.scheduleSweep() }
        }
    }

    /// Requests past the timeout count as timeouts; their connections are replaced.
    func sweep() {
        let now = Self.now()
        let limit = UInt64(plan.requestTimeout * 1e9)
        for conn in connections where conn.busy && now &- conn.sentAt > limit {
            count(.timeout)
            note("no response within \(formatSeconds(plan.requestTimeout))")
            failSession(conn, "no response within \(formatSeconds(plan.requestTimeout))")
            conn.busy = false
            conn.pendingWrite = nil
            conn.capture = nil
            conn.close()
        }
        if stopping {
            expireBacklog(now: now)
            checkFinished()
        }
    }

    func stop() {
        guard !stopping else { return }
        stopping = true
        let now = Self.now()
        stoppedAt = now
        // Arrivals still waiting for a connection were due within the run: they may start as
        // connections free up, for as long as they may wait (then they count as dropped).
        expireBacklog(now: now)
        checkFinished()
    }

    /// Done when nothing is in flight (or, after the timeout, whatever is left counted as timeouts).
    func checkFinished() {
        guard stopping, !finished else { return }
        let inFlight = connections.contains { $0.busy || $0.lent } || activeSessions > 0 || !backlog.isEmpty
        // In-flight requests get the request timeout to finish (the sweep counts them as timeouts).
        if inFlight, Self.now() &- stoppedAt < UInt64(plan.requestTimeout * 1e9) + 100_000_000 { return }
        finished = true
        let now = Self.now()
        while backlog.first != nil {
            backlog.removeFirst()
            seconds[slot(now)].dropped += 1
            busyDrops += 1
        }
        for conn in connections {
            conn.active = false
            conn.close()
        }
        onFinished?()
        onFinished = nil
    }

    /// Takes the seconds that are over (all of them once finished).
    func collect(final: Bool) -> [TimelineSecond] {
        let current = Int((Self.now() &- start) / 1_000_000_000)
        var out: [TimelineSecond] = []
        while let first = seconds.first, final || first.second < current {
            out.append(first.timeline)
            seconds.removeFirst()
            baseSecond += 1
        }
        return out
    }

    var openConnections: Int { connections.reduce(0) { $0 + ($1.ready ? 1 : 0) } }

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

func formatSeconds(_ s: Double) -> String {
    s >= 1 && s == s.rounded() ? "\(Int(s)) s" : "\(Int((s * 1000).rounded())) ms"
}

/// A FIFO of (intended start, arrival number) pairs without per-element allocation.
struct Ring {
    private var storage = [(UInt64, UInt64)](repeating: (0, 0), count: 64)
    private var head = 0
    private var count = 0

    var isEmpty: Bool { count == 0 }
    var first: (UInt64, UInt64)? { count == 0 ? nil : storage[head] }

    mutating func append(_ a: UInt64, _ b: UInt64) {
        if count == storage.count {
            var grown = [(UInt64, UInt64)]()
            grown.reserveCapacity(storage.count * 2)
            for i in 0..<count { grown.append(storage[(head + i) % storage.count]) }
            grown += [(UInt64, UInt64)](repeating: (0, 0), count: storage.count)
            storage = grown
            head = 0
        }
        storage[(head + count) % storage.count] = (a, b)
        count += 1
    }

    mutating func removeFirst() {
        head = (head + 1) % storage.count
        count -= 1
    }
}
