#if os(Linux)
import Glibc
import NIOCore
import Synchronization

/// An upstream's addresses: every address its host resolves to (IPv4 and IPv6), looked up when the
/// router starts and again every 30 seconds on the NIO side, never on a loop (a lookup blocks). A loop's
/// pool takes the list at each new connection and moves to the next address after a failed connect.
final class UpstreamAddresses: Sendable {
    let host: String
    let port: Int
    private let current: Mutex<[SocketAddress]>

    init(host: String, port: Int) throws {
        self.host = host
        self.port = port
        current = Mutex(try Self.resolve(host: host, port: port))
    }

    var all: [SocketAddress] { current.withLock { $0 } }

    /// Whether the host is an address already (nothing to look up again).
    var isLiteral: Bool { (try? SocketAddress(ipAddress: host, port: port)) != nil }

    /// Looks the host up again; a failed lookup keeps the addresses there were.
    func refresh() {
        guard !isLiteral, let fresh = try? Self.resolve(host: host, port: port), !fresh.isEmpty else { return }
        current.withLock { $0 = fresh }
    }

    static func resolve(host: String, port: Int) throws -> [SocketAddress] {
        if let literal = try? SocketAddress(ipAddress: host, port: port) { return [literal] }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_ADDRCONFIG
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let first = list else {
            throw RouterError("cannot resolve \(host): \(String(cString: gai_strerror(status)))")
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let info = entry {
            if let raw = info.pointee.ai_addr {
                switch info.pointee.ai_family {
                case AF_INET:
                    let address = raw.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee }
                    addresses.append(SocketAddress(address, host: host))
                case AF_INET6:
                    let address = raw.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee }
                    addresses.append(SocketAddress(address, host: host))
                default:
                    break
                }
            }
            entry = info.pointee.ai_next
        }
        guard !addresses.isEmpty else { throw RouterError("cannot resolve \(host): no IPv4 or IPv6 address") }
        // One of each, in the order the resolver gave them, without duplicates.
        var seen = Set<String>()
        return addresses.filter { seen.insert("\($0)").inserted }
    }
}
#endif
