#if os(Linux)
import CGreenlightEpoll
import Glibc
import NIOCore

/// Why a connection to an upstream could not be had: answered 504 when it timed out, else 502.
enum UpstreamConnectFailure: Error {
    case timedOut
    case failed(String)
}

/// Keep-alive connections to one upstream, for one loop: idle ones are reused, at most
/// `maxConnectionsPerLoop` are open and further requests wait for one. Only its loop touches it.
final class UpstreamPool {
    struct Lease {
        var connection: UpstreamConnection
        var reused: Bool
    }
    typealias Callback = (Result<Lease, UpstreamConnectFailure>) -> Void

    let arm: RouterArm
    unowned(unsafe) let loop: RouterLoop
    private var idle: [UpstreamConnection] = []
    private var open = 0
    private var waiters = CircularBuffer<Callback>()
    /// Which of the upstream's addresses new connections go to; the next one after a failed connect.
    private var addressIndex = 0

    init(arm: RouterArm, loop: RouterLoop) {
        self.arm = arm
        self.loop = loop
    }

    private var core: RouterCore { loop.core }

    /// An idle connection, if one is open: the common case, without a callback.
    func takeIdle() -> UpstreamConnection? {
        while let connection = idle.popLast() {
            if connection.isUsable { return connection }
        }
        return nil
    }

    /// A connection for an exchange: an idle one, a new one, or the next one released when
    /// `maxConnectionsPerLoop` are open. The callback may run before this returns.
    func acquire(_ callback: @escaping Callback) {
        if let connection = takeIdle() {
            callback(.success(Lease(connection: connection, reused: true)))
        } else if open < core.configuration.maxConnectionsPerLoop {
            connect(callback)
        } else {
            waiters.append(callback)
        }
    }

    /// Hands a connection back after an exchange: kept (or given to a waiter) when `reusable`, else closed.
    func release(_ connection: UpstreamConnection, reusable: Bool) {
        connection.exchange = nil
        guard reusable, connection.isUsable else {
            connection.close()
            return
        }
        if let waiter = waiters.popFirst() {
            waiter(.success(Lease(connection: connection, reused: true)))
        } else if idle.count < core.configuration.maxIdlePerLoop {
            // Read on while idle: an upstream that closes it (or speaks) is noticed and the connection dropped.
            connection.resumeReading()
            idle.append(connection)
        } else {
            connection.close()
        }
    }

    /// The connection leaves the pool for good (it became an Upgrade tunnel).
    func detach(_ connection: UpstreamConnection) {
        open -= 1
        connection.pool = nil
        if let waiter = waiters.popFirst() { connect(waiter) }
    }

    /// Called once per connection that was established, when it closes.
    func connectionClosed(_ connection: UpstreamConnection) {
        open -= 1
        if let index = idle.firstIndex(where: { $0 === connection }) { idle.remove(at: index) }
        if let waiter = waiters.popFirst() { connect(waiter) }
    }

    func connected(_ connection: UpstreamConnection, _ callback: Callback) {
        core.connectSucceeded(arm)
        core.metrics.recordConnectionOpened(arm)
        callback(.success(Lease(connection: connection, reused: false)))
    }

    func connectFailed(_ callback: Callback, _ failure: UpstreamConnectFailure) {
        open -= 1
        addressIndex &+= 1
        core.connectFailed(arm)
        callback(.failure(failure))
        if let waiter = waiters.popFirst() { connect(waiter) }
    }

    private func connect(_ callback: @escaping Callback) {
        open += 1
        let upstream = core.configuration.upstream(arm)
        if upstream.tls {
            connectThroughBridge(upstream, callback)
            return
        }
        if loop.isStopping {
            connectFailed(callback, .failed("the router is stopping"))
            return
        }
        let addresses = core.addresses(arm).all
        let address = addresses[addressIndex % addresses.count]
        let family = address.protocol.rawValue
        let fd = socket(family, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else {
            connectFailed(callback, .failed(String(cString: strerror(errno))))
            return
        }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let result = address.withSockAddr { pointer, length in Glibc.connect(fd, pointer, socklen_t(length)) }
        if result != 0, errno != EINPROGRESS {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            connectFailed(callback, .failed(reason))
            return
        }
        let connection = UpstreamConnection(loop: loop, fd: fd, pool: self, connecting: callback, bridged: false)
        guard loop.register(connection) else {
            Glibc.close(fd)
            connectFailed(callback, .failed("cannot watch the socket"))
            return
        }
        connection.setTimer(at: .now() + core.configuration.connectTimeout)
    }

    /// HTTPS: the loop talks plain HTTP over one end of a socket pair and ``TLSBridge`` carries it over TLS;
    /// its first byte says whether the connection (TCP) was made.
    private func connectThroughBridge(_ upstream: RouterUpstream, _ callback: @escaping Callback) {
        var pair: [Int32] = [-1, -1]
        guard let tls = core.tlsContext, !loop.isStopping,
            socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue), 0, &pair)
                == 0
        else {
            connectFailed(callback, .failed("cannot make a socket pair: \(String(cString: strerror(errno)))"))
            return
        }
        let connection = UpstreamConnection(loop: loop, fd: pair[0], pool: self, connecting: callback, bridged: true)
        guard loop.register(connection) else {
            Glibc.close(pair[0])
            Glibc.close(pair[1])
            connectFailed(callback, .failed("cannot watch the socket"))
            return
        }
        // The bridge has its own connect timeout; this one only catches a bridge that never answers.
        connection.setTimer(at: .now() + core.configuration.connectTimeout + .seconds(1))
        TLSBridge.open(
            descriptor: pair[1], upstream: upstream, context: tls, group: core.group,
            connectTimeout: core.configuration.connectTimeout)
    }
}

/// The upstream end of an exchange: passes what the upstream says to the client connection, and holds
/// its reads while the client cannot take more (back-pressure).
final class UpstreamConnection: Endpoint {
    unowned(unsafe) var pool: UpstreamPool?
    var exchange: ClientConnection?
    /// Set while the connection is being made.
    private var connecting: UpstreamPool.Callback?
    /// Over a socket pair to ``TLSBridge`` (whose first byte reports the connect).
    private let bridged: Bool

    init(loop: RouterLoop, fd: Int32, pool: UpstreamPool, connecting: @escaping UpstreamPool.Callback, bridged: Bool) {
        self.pool = pool
        self.connecting = connecting
        self.bridged = bridged
        super.init(loop: loop, fd: fd)
    }

    /// Open, connected, and not closed.
    var isUsable: Bool { !closed && connecting == nil }

    override func ready(_ events: UInt32) {
        if connecting != nil {
            connectReady(events)
            return
        }
        super.ready(events)
    }

    override func readable() {
        if let exchange, !exchange.isWritable, !writeFailed {
            readReady = true
            return
        }
        guard let count = readOnce() else { return }
        guard count > 0, let exchange else {
            // The end of the stream, or an idle connection that speaks: not one to reuse.
            close()
            return
        }
        exchange.upstreamRead(loop.readBuffer)
        self.exchange?.upstreamReadComplete()
        if readReady { loop.queueRead(self) }
    }

    override func drained() { exchange?.upstreamBecameWritable() }

    override func timerFired() {
        if connecting != nil { fail(.timedOut) }
    }

    private func connectReady(_ events: UInt32) {
        guard let callback = connecting else { return }
        if bridged {
            var status: UInt8 = 0
            let count = recv(fd, &status, 1, 0)
            if count < 0, errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR { return }
            guard count == 1, status == TLSBridge.connected else {
                fail(status == TLSBridge.timedOut ? .timedOut : .failed("TLS bridge: connect failed"))
                return
            }
        } else {
            guard events & (GL_EPOLLOUT | GL_EPOLLERR | GL_EPOLLHUP) != 0 else { return }
            var error: Int32 = 0
            var length = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length)
            guard error == 0 else {
                fail(.failed(String(cString: strerror(error))))
                return
            }
        }
        connecting = nil
        cancelTimer()
        pool?.connected(self, callback)
        // The same event may say more: bytes, or the upstream's end.
        let rest = events & (GL_EPOLLIN | GL_EPOLLRDHUP | GL_EPOLLERR | GL_EPOLLHUP)
        if rest != 0, !closed { super.ready(rest) }
    }

    private func fail(_ failure: UpstreamConnectFailure) {
        guard let callback = connecting else { return }
        connecting = nil
        let pool = self.pool
        self.pool = nil
        close()
        pool?.connectFailed(callback, failure)
    }

    override func didClose() {
        let exchange = self.exchange
        self.exchange = nil
        if connecting != nil {
            // Closed by the loop's end while connecting.
            connecting = nil
            return
        }
        pool?.connectionClosed(self)
        pool = nil
        exchange?.upstreamClosed()
    }
}
#endif
