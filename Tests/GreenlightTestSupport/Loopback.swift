import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Ports and sockets on 127.0.0.1.
public enum Loopback {
    /// A TCP socket bound to 127.0.0.1 on a port the kernel picks.
    public static func boundSocket() -> (fd: Int32, port: Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        precondition(fd >= 0, "socket() failed")
        var address = address(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) }
        }
        precondition(bound == 0, "bind() failed")
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }

    /// The socket address of `port` on 127.0.0.1.
    public static func address(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return address
    }

    /// A port nothing listens on: connecting to it is refused.
    public static func closedPort() -> Int {
        let (fd, port) = boundSocket()
        Glibc.close(fd)
        return port
    }

    /// A free port for a server the test starts.
    public static func freePort() -> Int { closedPort() }

    /// Whether something accepts connections on `port`.
    public static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { Glibc.close(fd) }
        var address = address(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }

    /// Whether a TCP connect to `port` is still unanswered after `seconds`: the SYN is dropped, as by
    /// ``HangingPort``. A test calls it to show that its stall is real. Waits without holding a thread.
    public static func connectStalls(_ port: Int, for seconds: Double) async -> Bool {
        let fd = socket(
            AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { Glibc.close(fd) }
        var address = address(port: port)
        let started = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard started != 0, errno == EINPROGRESS else { return false }
        try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        return poll(&poller, 1, 0) == 0
    }

    /// Waits (at most `seconds`) until `port` accepts connections; tells whether it did.
    public static func waitUntilListening(_ port: Int, seconds: Double = 10) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if canConnect(port) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return false
    }
}

/// A listener on 127.0.0.1 that completes every TCP handshake and then never answers: connections
/// succeed, requests wait forever.
public final class SilentListener: Sendable {
    /// The port it listens on.
    public let port: Int
    private let fd: Int32
    private let closed = LockBox(false)

    /// Starts listening on a free port.
    public init() {
        (fd, port) = Loopback.boundSocket()
        precondition(listen(fd, 128) == 0, "listen() failed")
    }

    /// Stops listening; tests call it in a `defer`, which also keeps the listener alive until then.
    public func close() {
        guard closed.setOnce() else { return }
        Glibc.close(fd)
    }

    deinit { close() }
}

/// A port on 127.0.0.1 where connecting hangs, as with a firewall that drops packets: the listener's
/// accept queue (backlog 0) is filled by one connection and never drained, so the kernel drops every
/// later SYN.
public final class HangingPort: Sendable {
    /// The port where connecting hangs.
    public let port: Int
    private let fd: Int32
    private let fillers: [Int32]
    private let closed = LockBox(false)

    /// Starts the listener and fills its queue.
    public init() {
        (fd, port) = Loopback.boundSocket()
        precondition(listen(fd, 0) == 0, "listen() failed")
        var fillers: [Int32] = []
        for _ in 0..<2 {
            let filler = socket(
                AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            var address = Loopback.address(port: port)
            _ = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(filler, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            fillers.append(filler)
        }
        self.fillers = fillers
        usleep(50_000)  // lets the first filler's handshake land in the queue
    }

    /// Stops listening; tests call it in a `defer`, which also keeps the port alive until then.
    public func close() {
        guard closed.setOnce() else { return }
        for filler in fillers { Glibc.close(filler) }
        Glibc.close(fd)
    }

    deinit { close() }
}
