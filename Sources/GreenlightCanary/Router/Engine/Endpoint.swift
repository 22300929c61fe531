#if os(Linux)
import CGreenlightEpoll
import Glibc
import NIOCore

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
#endif
