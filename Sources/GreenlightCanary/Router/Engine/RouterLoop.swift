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

/// Something on a loop with a descriptor: told when it is ready, given one timer, and a queue of bytes
/// to write that is sent with one `sendmsg` per flush.
///
/// epoll reports edges, so an endpoint keeps what it knows: `readReady` while the socket may hold
/// unread bytes (the last read filled the buffer, or reads were held), and a write that the socket did
/// not take waits for the EPOLLOUT edge.
class Endpoint {
    unowned(unsafe) let loop: RouterLoop
    let fd: Int32
    var token: UInt64 = 0
    var readReady = false
    var readQueued = false
    /// The peer shut its side (or the socket failed): reads go on until they find the end.
    private var peerDone = false
    /// A write failed (the peer reset the connection): it closes after the current event, not inside
    /// the caller's work (a close tells the other side of the exchange, which may be the caller).
    private(set) var writeFailed = false
    var timerGeneration: UInt32 = 0
    var timerAt = UInt64.max
    private(set) var closed = false
    /// Bytes written but not yet taken by the socket (a write only queues; `flush` sends).
    private var outQueue: [ByteBuffer] = []
    private var flushedAll = true

    init(loop: RouterLoop, fd: Int32) {
        self.loop = loop
        self.fd = fd
    }

    /// epoll's bits for this descriptor.
    func ready(_ events: UInt32) {
        if events & GL_EPOLLOUT != 0 {
            writableEvent()
            if closed { return }
        }
        if events & (GL_EPOLLRDHUP | GL_EPOLLERR | GL_EPOLLHUP) != 0 { peerDone = true }
        if events & (GL_EPOLLIN | GL_EPOLLRDHUP | GL_EPOLLERR | GL_EPOLLHUP) != 0 { readable() }
    }

    /// The socket may have bytes (or its end) to read.
    func readable() {}
    func timerFired() {}
    /// Everything queued went out after the socket had been full.
    func drained() {}
    /// After the descriptor closed, once.
    func didClose() {}

    /// Whether everything written so far has been taken by the socket.
    var isWritable: Bool { flushedAll }

    func write(_ bytes: ByteBuffer) {
        guard !closed, !writeFailed, bytes.readableBytes > 0 else { return }
        outQueue.append(bytes)
    }

    /// Sends what is queued; what the socket does not take waits for EPOLLOUT (and `isWritable` is false).
    func flush() {
        guard !closed, !outQueue.isEmpty, flushedAll else { return }
        send()
    }

    private func send() {
        while true {
            let count = min(outQueue.count, 64)
            var submitted = 0
            let sent: Int = withUnsafeTemporaryAllocation(of: iovec.self, capacity: count) { iovecs in
                for i in 0..<count {
                    // The queue keeps each buffer alive and unchanged until sendmsg returns.
                    let bytes = outQueue[i].withUnsafeReadableBytes { $0 }
                    iovecs[i] = iovec(
                        iov_base: UnsafeMutableRawPointer(mutating: bytes.baseAddress), iov_len: bytes.count)
                    submitted += bytes.count
                }
                var message = msghdr()
                message.msg_iov = iovecs.baseAddress
                message.msg_iovlen = count
                return sendmsg(fd, &message, Int32(MSG_NOSIGNAL))
            }
            if sent < 0 {
                if errno == EINTR { continue }
                if errno == EAGAIN || errno == EWOULDBLOCK {
                    waitForWritable()
                    return
                }
                // The peer is gone. The close comes from the read side, after the current event: what the
                // peer said before it went (an early 413, say) is still read and passed on, and a close
                // never runs inside the caller's work (it tells the other side of the exchange, which may
                // be the caller).
                writeFailed = true
                outQueue.removeAll()
                flushedAll = true
                readReady = true
                loop.queueRead(self)
                return
            }
            var left = sent
            var done = 0
            while done < outQueue.count, left >= outQueue[done].readableBytes {
                left -= outQueue[done].readableBytes
                done += 1
            }
            if done == outQueue.count {
                outQueue.removeAll(keepingCapacity: true)
                if !flushedAll {
                    flushedAll = true
                    drained()
                }
                return
            }
            outQueue.removeFirst(done)
            if left > 0 { outQueue[0].moveReaderIndex(forwardBy: left) }
            // The socket took all it was given (more than 64 pieces were queued): send the rest.
            if sent == submitted { continue }
            // A short write: once more, so the socket says EAGAIN and the EPOLLOUT edge is sure to come.
        }
    }

    private func waitForWritable() { flushedAll = false }

    /// Called by subclasses for EPOLLOUT while bytes wait.
    func writableEvent() {
        if !flushedAll { send() }
    }

    // MARK: reading

    /// Reads go on (for one whose reads were held): with edges, the loop must be asked to try.
    func resumeReading() {
        if readReady { loop.queueRead(self) }
    }

    /// Reads once into the loop's read buffer: the bytes read, 0 at the end of the stream, nil when there
    /// was nothing to read after all (or an error, after which the endpoint is closed).
    func readOnce() -> Int? {
        loop.readBuffer.clear()
        var result = 0
        var room = 0
        loop.readBuffer.writeWithUnsafeMutableBytes(minimumWritableBytes: RouterLoop.readSize) { space in
            room = space.count
            result = Glibc.read(fd, space.baseAddress, space.count)
            return max(result, 0)
        }
        if result < 0 {
            readReady = false
            if errno == EAGAIN || errno == EWOULDBLOCK {
                // After a failed write, nothing more to read means the end.
                if writeFailed { close() }
                return nil
            }
            if errno == EINTR {
                loop.queueRead(self)
                return nil
            }
            close()
            return nil
        }
        // A full buffer: there may be more. Less: the socket is empty, and new bytes bring a new edge, but
        // an end that came with the bytes brings none, so after one reads go on until they find it.
        readReady = result == room || ((peerDone || writeFailed) && result > 0)
        return result
    }

    // MARK: time and closing

    func setTimer(at deadline: NIODeadline) { loop.armTimer(self, at: deadline) }

    func cancelTimer() {
        timerGeneration &+= 1
        timerAt = .max
    }

    func close() {
        guard !closed else { return }
        closed = true
        outQueue.removeAll()
        flushedAll = true
        cancelTimer()
        Glibc.close(fd)
        loop.forget(self)
        didClose()
    }
}

/// The listening socket, as one loop sees it: accepts what it can and makes client connections.
final class Listener: Endpoint {
    override func ready(_ events: UInt32) {
        // Level-triggered: up to 64 connections now, the rest on the next round.
        for _ in 0..<64 {
            var address = sockaddr_storage()
            var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
            let client = gl_accept(fd, &address, &length)
            if client < 0 {
                if errno == EMFILE || errno == ENFILE {
                    loop.watchListener(false)
                    setTimer(at: .now() + .milliseconds(100))
                }
                return
            }
            var one: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let connection = ClientConnection(loop: loop, fd: client, address: Self.ipAddress(address))
            guard loop.register(connection) else {
                Glibc.close(client)
                continue
            }
            connection.started()
        }
    }

    override func timerFired() { loop.watchListener(true) }

    /// The peer's IP address as text (as `X-Forwarded-For` carries it), nil for other kinds of socket.
    static func ipAddress(_ storage: sockaddr_storage) -> String? {
        var storage = storage
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN) + 1)
        let family = Int32(storage.ss_family)
        let ok: Bool = withUnsafePointer(to: &storage) { raw in
            switch family {
            case AF_INET:
                return raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { address in
                    var a = address.pointee.sin_addr
                    return inet_ntop(AF_INET, &a, &text, socklen_t(text.count)) != nil
                }
            case AF_INET6:
                return raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { address in
                    var a = address.pointee.sin6_addr
                    return inet_ntop(AF_INET6, &a, &text, socklen_t(text.count)) != nil
                }
            default:
                return false
            }
        }
        guard ok, let end = text.firstIndex(of: 0) else { return nil }
        return String(decoding: text[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Deadlines as a binary min-heap of (when, token, generation); an entry whose endpoint has since
/// re-armed or closed is skipped when it comes up, so nothing is ever removed from the middle.
struct TimerHeap {
    struct Entry {
        var at: UInt64
        var token: UInt64
        var generation: UInt32
    }
    private var entries: [Entry] = []

    var hasEntries: Bool { !entries.isEmpty }

    mutating func push(at: UInt64, token: UInt64, generation: UInt32) {
        entries.append(Entry(at: at, token: token, generation: generation))
        var i = entries.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard entries[parent].at > entries[i].at else { break }
            entries.swapAt(parent, i)
            i = parent
        }
    }

    mutating func popDue(now: UInt64) -> Entry? {
        guard let first = entries.first, first.at <= now else { return nil }
        let last = entries.removeLast()
        if entries.isEmpty { return first }
        entries[0] = last
        var i = 0
        while true {
            let left = 2 * i + 1
            let right = left + 1
            var smallest = i
            if left < entries.count, entries[left].at < entries[smallest].at { smallest = left }
            if right < entries.count, entries[right].at < entries[smallest].at { smallest = right }
            if smallest == i { break }
            entries.swapAt(i, smallest)
            i = smallest
        }
        return first
    }

    /// epoll_wait's timeout: until the first deadline (rounded up), or -1 without one.
    func nextTimeoutMilliseconds(now: UInt64) -> Int32 {
        guard let first = entries.first else { return -1 }
        if first.at <= now { return 0 }
        return Int32(min((first.at - now + 999_999) / 1_000_000, 60_000))
    }
}
#endif
