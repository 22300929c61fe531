#if os(Linux)
import CGreenlightEpoll
import Foundation
import Glibc
import NIOCore
import Synchronization

/// One thread of the router: an epoll instance, the connections it owns, their deadlines, and a pool of
/// upstream connections per arm. Everything on it runs on its thread, so nothing in it takes a lock; the
/// only ways in from outside are the listening socket, the stop flag and its eventfd.
///
/// Why not SwiftNIO here: the proxy's work per request is two reads and two writes; around them NIO's
/// channel machinery (pipelines, promises, reference-counted channel state) cost more CPU than the
/// proxying itself, which kept the router under nginx on the same core. The heads are still rewritten
/// by ``HeadRewriter`` and bodies followed by ``BodyReader``; NIO still carries the admin listener, the
/// health probes and TLS to HTTPS upstreams (``TLSBridge``).
final class RouterLoop: @unchecked Sendable {
    let core: RouterCore
    let index: Int
    private let epoll: Int32
    private let wakeFD: Int32
    private let listenFD: Int32
    private let stopping = Atomic<Bool>(false)
    private let finished = DispatchSemaphore(value: 0)

    private var slots: [Endpoint?] = []
    private var generations: [UInt32] = []
    private var freeSlots: [Int] = []
    private var timers = TimerHeap()
    private var listener: Listener?
    /// Endpoints to read from again after this round of events: their last read filled the buffer, or
    /// their reads were held and may go on now (with edge-triggered epoll no event would come for them).
    private var readQueue: [Endpoint] = []

    /// What every read on this loop goes into; connections keep slices of it only when they must wait.
    var readBuffer: ByteBuffer
    let allocator = ByteBufferAllocator()
    /// One rewriter for the loop's heads (its scratch arrays are reused by every connection).
    var rewriter = HeadRewriter()
    private(set) var baselinePool: UpstreamPool!
    private(set) var canaryPool: UpstreamPool!

    static let readSize = 64 * 1024

    init(core: RouterCore, index: Int, listenFD: Int32) throws {
        self.core = core
        self.index = index
        self.listenFD = listenFD
        epoll = gl_epoll_create()
        guard epoll >= 0 else {
            throw RouterError("cannot create an epoll instance: \(String(cString: strerror(errno)))")
        }
        wakeFD = gl_eventfd()
        guard wakeFD >= 0 else {
            Glibc.close(epoll)
            throw RouterError("cannot create an eventfd: \(String(cString: strerror(errno)))")
        }
        readBuffer = allocator.buffer(capacity: Self.readSize)
        baselinePool = UpstreamPool(arm: .baseline, loop: self)
        canaryPool = UpstreamPool(arm: .canary, loop: self)
        _ = gl_epoll_ctl(epoll, GL_EPOLL_CTL_ADD, wakeFD, GL_EPOLLIN, UInt64.max)
    }

    func pool(_ arm: RouterArm) -> UpstreamPool { arm == .baseline ? baselinePool : canaryPool }

    // MARK: running

    func start() {
        let thread = Thread { [self] in
            run()
            finished.signal()
        }
        thread.name = "greenlight-router-\(index)"
        thread.start()
    }

    /// Asks the loop to close everything and end; `waitUntilFinished` returns once it has.
    func stop() {
        stopping.store(true, ordering: .releasing)
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    func waitUntilFinished() { finished.wait() }

    /// Set once the loop is asked to stop: no new upstream connection is begun.
    var isStopping: Bool { stopping.load(ordering: .relaxed) }

    private var ran = false

    deinit {
        // A loop that never ran (the router failed to start) still holds its descriptors.
        if !ran {
            Glibc.close(wakeFD)
            Glibc.close(epoll)
        }
    }

    private func run() {
        ran = true
        let listener = Listener(loop: self, fd: listenFD)
        self.listener = listener
        _ = token(adding: listener)
        watchListener(true)
        var tokens = [UInt64](repeating: 0, count: 128)
        var bits = [UInt32](repeating: 0, count: 128)
        while !stopping.load(ordering: .acquiring) {
            let timeout =
                readQueue.isEmpty ? timers.nextTimeoutMilliseconds(now: NIODeadline.now().uptimeNanoseconds) : 0
            let count = tokens.withUnsafeMutableBufferPointer { t in
                bits.withUnsafeMutableBufferPointer { b in
                    gl_epoll_wait(epoll, t.baseAddress, b.baseAddress, 128, timeout)
                }
            }
            if count < 0 {
                if errno == EINTR { continue }
                break
            }
            for i in 0..<Int(count) {
                let token = tokens[i]
                if token == UInt64.max {
                    var value: UInt64 = 0
                    _ = read(wakeFD, &value, 8)
                    continue
                }
                guard let endpoint = endpoint(token) else { continue }
                endpoint.ready(bits[i])
            }
            readAgain()
            fireTimers()
        }
        _ = gl_epoll_ctl(epoll, GL_EPOLL_CTL_DEL, listenFD, 0, 0)
        // Closing one endpoint can close others (a client's upstream); none opens a new one now.
        var closedSome = true
        while closedSome {
            closedSome = false
            for case let endpoint? in slots where !(endpoint is Listener) {
                endpoint.close()
                closedSome = true
            }
        }
        Glibc.close(wakeFD)
        Glibc.close(epoll)
    }

    /// One pass over the endpoints queued to read again (one that keeps filling the buffer goes on in the
    /// next round, after the events that came meanwhile).
    private func readAgain() {
        guard !readQueue.isEmpty else { return }
        let queued = readQueue
        readQueue.removeAll(keepingCapacity: true)
        for endpoint in queued {
            endpoint.readQueued = false
            if !endpoint.closed { endpoint.readable() }
        }
    }

    func queueRead(_ endpoint: Endpoint) {
        guard !endpoint.readQueued, !endpoint.closed else { return }
        endpoint.readQueued = true
        readQueue.append(endpoint)
    }

    /// Every loop watches the one listening socket; EPOLLEXCLUSIVE wakes one of them per connection. Out of
    /// descriptors, a loop stops watching it for a moment rather than spin.
    func watchListener(_ on: Bool) {
        guard let listener else { return }
        if on {
            _ = gl_epoll_ctl(epoll, GL_EPOLL_CTL_ADD, listenFD, GL_EPOLLIN | GL_EPOLLEXCLUSIVE, listener.token)
        } else {
            _ = gl_epoll_ctl(epoll, GL_EPOLL_CTL_DEL, listenFD, 0, 0)
        }
    }

    private func fireTimers() {
        guard timers.hasEntries else { return }
        let now = NIODeadline.now().uptimeNanoseconds
        while let entry = timers.popDue(now: now) {
            guard let endpoint = endpoint(entry.token), endpoint.timerGeneration == entry.generation else { continue }
            endpoint.timerAt = .max
            endpoint.timerFired()
        }
    }

    // MARK: endpoints

    /// A token for `endpoint`: its slot and the slot's generation, so an event that was already in flight
    /// for a closed connection never reaches the one that took its slot.
    private func token(adding endpoint: Endpoint) -> UInt64 {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            slots[slot] = endpoint
        } else {
            slot = slots.count
            slots.append(endpoint)
            generations.append(0)
        }
        let token = UInt64(generations[slot]) << 32 | UInt64(slot)
        endpoint.token = token
        return token
    }

    private func endpoint(_ token: UInt64) -> Endpoint? {
        let slot = Int(token & 0xFFFF_FFFF)
        guard slot < slots.count, UInt64(generations[slot]) == token >> 32 else { return nil }
        return slots[slot]
    }

    /// Watches `endpoint`'s descriptor, edge-triggered, for reads and writes at once (as nginx does): the
    /// set never changes afterwards, so holding reads or waiting to write costs no system call.
    func register(_ endpoint: Endpoint) -> Bool {
        let token = token(adding: endpoint)
        if gl_epoll_ctl(
            epoll, GL_EPOLL_CTL_ADD, endpoint.fd, GL_EPOLLIN | GL_EPOLLOUT | GL_EPOLLRDHUP | GL_EPOLLET, token) != 0
        {
            forget(endpoint)
            return false
        }
        return true
    }

    /// The endpoint closed: its slot is free (closing the descriptor took it out of the epoll set).
    func forget(_ endpoint: Endpoint) {
        let slot = Int(endpoint.token & 0xFFFF_FFFF)
        guard slot < slots.count, slots[slot] === endpoint else { return }
        slots[slot] = nil
        generations[slot] &+= 1
        freeSlots.append(slot)
    }

    func armTimer(_ endpoint: Endpoint, at deadline: NIODeadline) {
        endpoint.timerGeneration &+= 1
        endpoint.timerAt = deadline.uptimeNanoseconds
        timers.push(at: deadline.uptimeNanoseconds, token: endpoint.token, generation: endpoint.timerGeneration)
    }
}
#endif
