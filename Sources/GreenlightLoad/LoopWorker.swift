import Foundation
import GreenlightCore
import GreenlightHTTP
import NIOCore
import NIOPosix
import NIOSSL

/// The part of a run on one event loop: its connections, its share of the schedule, its histogram.
/// `@unchecked Sendable`: confined to `loop`; the engine reaches it only through `loop.execute` / `submit`.
final class LoopWorker: @unchecked Sendable {
    let loop: EventLoop
    let plan: LoadPlan
    let index: Int
    let order: [Int]
    /// The request, when the mix is one fixed request (ad-hoc runs): taken without going through `plan.actions`.
    let onlyRequest: (request: ByteBuffer, isHead: Bool)?
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
    var opening: (next: Int, pending: Int, window: Int)?
    /// Completed when the run stops waiting for its connections to open (see ``connectAll(window:deadline:)``).
    var connectPhase: EventLoopPromise<Void>?
    /// The end of the connect phase, scheduled by ``connectAll(window:deadline:)``.
    var connectDeadline: Scheduled<Void>?
    /// The target's address when its host is a literal one, connected to without a resolver.
    let targetAddress: SocketAddress?
    /// A stop asked for before ``begin(at:onFinished:)``: the run stops as soon as it begins.
    var stopBeforeStart = false

    init(loop: EventLoop, plan: LoadPlan, index: Int, connections count: Int, sslContext: NIOSSLContext?) {
        self.loop = loop
        self.plan = plan
        self.index = index
        self.sslContext = sslContext
        targetAddress = try? SocketAddress(ipAddress: plan.target.host, port: plan.target.port)
        order = plan.order
        if plan.actions.count == 1, case .fixed(_, let request, let isHead) = plan.actions[0] {
            onlyRequest = (request, isHead)
        } else {
            onlyRequest = nil
        }
        // Arrival k belongs to slice k mod n; within a slice, to loop (k div n) mod threads.
        stride = Double(plan.threads * plan.slice.count)
        nextArrival = Double(plan.slice.index - 1 + plan.slice.count * index)
        for i in 0..<count { connections.append(LoadConnection(worker: self, index: i)) }
    }

    @inline(__always) static func now() -> UInt64 { NIODeadline.now().uptimeNanoseconds }

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
        if stopBeforeStart { stop() }
    }

    /// A stop from outside (Ctrl-C): before the start it ends the connect phase and stops the run as
    /// soon as it begins; after it, it stops the run.
    func requestStop() {
        guard start == 0 else { return stop() }
        stopBeforeStart = true
        endConnectPhase()
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
        // Closing, closed or opening: it comes back through connectionReady once open.
        guard conn.isIdle else { return }
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
            conn.state = .open(.thinking(until: wakeAt))
            let generation = conn.generation
            loop.scheduleTask(deadline: .uptimeNanoseconds(wakeAt)) {
                guard conn.generation == generation, case .open(.thinking) = conn.state else { return }
                conn.state = .open(.idle)
                guard !self.stopping, conn.active else {
                    self.idle.append(conn)
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
            if conn.isIdle, let i = idle.firstIndex(where: { $0 === conn }) {
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
        if let only = onlyRequest {
            let now = known ?? Self.now()
            conn.countsStatus = true
            conn.write(only.request, intended: intended, now: now, isHead: only.isHead)
            seconds[slot(now)].sent(bytes: only.request.readableBytes)
            return
        }
        switch plan.actions[action] {
        case .fixed(_, let request, let isHead):
            let now = known ?? Self.now()
            conn.countsStatus = true
            conn.write(request, intended: intended, now: now, isHead: isHead)
            seconds[slot(now)].sent(bytes: request.readableBytes)
        case .session(let name, let script):
            startSession(name: name, script: script, on: conn, intended: intended)
        }
    }

    // MARK: Responses

    @inline(__always)
    func responded(_ conn: LoadConnection, _ response: HTTPResponseParser.Response) {
        guard conn.isBusy else {
            // Nothing was asked on this connection (a 408 on an idle one, or an answer after a timeout).
            note("a response arrived that no request was waiting for")
            conn.close()
            return
        }
        conn.responsesOnChannel += 1
        let now = Self.now()
        conn.requestEnded()
        let micros = (now &- conn.intended) / 1000
        latency.record(microseconds: micros)
        seconds[slot(now)].responded(
            microseconds: micros, wireBytes: response.wireBytes, status: response.status,
            countsStatus: conn.countsStatus)
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
        if conn.isBusy {
            count(kind)
            note(reason)
            failSession(conn, reason)
            conn.requestEnded()
            conn.pendingWrite = nil
        }
        conn.close()
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
        for conn in connections where conn.isBusy && now &- conn.sentAt > limit {
            count(.timeout)
            let timeout = Format.duration(plan.requestTimeout)
            note("request timed out: no response within \(timeout), so greenlight closed the connection")
            failSession(conn, "request timed out: no response within \(timeout)")
            conn.requestEnded()
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
        let inFlight = connections.contains { $0.isBusy || $0.lent } || activeSessions > 0 || !backlog.isEmpty
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
}
