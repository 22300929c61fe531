import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Name resolution with the system resolver (`getaddrinfo`), on a thread of its own so that a
/// slow name server never blocks a concurrency thread.
enum Resolver {
    struct Failure: Error, Equatable {
        /// The `EAI_*` code getaddrinfo returned.
        var code: Int32
        /// Follows the name in a summary: "does not exist (NXDOMAIN)".
        var reason: String
    }

    /// The addresses `host` resolves to, IPv4 and IPv6, each once, in the resolver's order.
    static func resolve(_ host: String) async -> Result<[String], Failure> {
        await withCheckedContinuation { continuation in
            let thread = Thread { continuation.resume(returning: lookup(host)) }
            thread.start()
        }
    }

    static func lookup(_ host: String) -> Result<[String], Failure> {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let code = getaddrinfo(host, nil, &hints, &list)
        guard code == 0 else { return .failure(Failure(code: code, reason: reason(forCode: code, errno: errno))) }
        defer { freeaddrinfo(list) }
        var addresses: [String] = []
        var entry = list
        while let info = entry?.pointee {
            if let address = info.ai_addr.flatMap(text(of:)), !addresses.contains(address) {
                addresses.append(address)
            }
            entry = info.ai_next
        }
        return .success(addresses)
    }

    /// The reason behind a getaddrinfo failure, worded to follow the name.
    static func reason(forCode code: Int32, errno: Int32 = 0) -> String {
        switch code {
        case EAI_NONAME: return "does not exist (NXDOMAIN)"
        case noDataCode: return "exists but has no addresses (no A or AAAA records)"
        case EAI_AGAIN: return "could not be resolved: the name server did not answer (EAI_AGAIN, try again later)"
        case EAI_FAIL: return "could not be resolved: the name server failed (SERVFAIL)"
        case EAI_SYSTEM: return "could not be resolved: \(String(cString: strerror(errno)))"
        default: return "could not be resolved: \(String(cString: gai_strerror(code))) (\(code))"
        }
    }

    #if os(Linux)
    /// glibc's EAI_NODATA, which its headers only show to GNU builds.
    static let noDataCode: Int32 = -5
    #else
    static let noDataCode: Int32 = EAI_NODATA
    #endif

    /// The numeric form of an address, as `inet_ntop` writes it.
    static func text(of address: UnsafeMutablePointer<sockaddr>) -> String? {
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        switch Int32(address.pointee.sa_family) {
        case AF_INET:
            var ip = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            guard inet_ntop(AF_INET, &ip, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        case AF_INET6:
            var ip = address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            guard inet_ntop(AF_INET6, &ip, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        default:
            return nil
        }
        return cString(buffer)
    }

    /// The bytes of a numeric IPv4 or IPv6 address, nil for a name.
    static func addressBytes(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: &v4) { Array($0) } }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 { return withUnsafeBytes(of: &v6) { Array($0) } }
        return nil
    }

    /// An address written the way the resolver writes it (`::1` for `0:0::1`); other text unchanged.
    static func canonical(_ text: String) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        var v4 = in_addr()
        var v6 = in6_addr()
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        if inet_pton(AF_INET, trimmed, &v4) == 1, inet_ntop(AF_INET, &v4, &buffer, socklen_t(buffer.count)) != nil {
            return cString(buffer)
        }
        if inet_pton(AF_INET6, trimmed, &v6) == 1, inet_ntop(AF_INET6, &v6, &buffer, socklen_t(buffer.count)) != nil {
            return cString(buffer)
        }
        return trimmed.lowercased()
    }

    /// The text of a NUL-terminated buffer.
    static func cString(_ buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
