import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCanary

#if canImport(Glibc)
import Glibc
#endif

/// Hostile clients: 100,000 malformed requests, each on its own connection, against a real router.
@Suite("The canary router under malformed requests", .serialized)
struct RouterFuzzTests {
    static let valid = Array(
        "POST /api/orders?x=1 HTTP/1.1\r\nHost: shop\r\nX-User: u1\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"sku\":\"a\"}"
            .utf8)

    /// One malformed request: a valid one with bytes flipped, inserted, deleted or cut, or a known trap.
    static func malformed(_ rng: inout SplitMix) -> [UInt8] {
        var bytes = valid
        let traps: [String] = [
            "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
            "GET /\u{0} HTTP/1.1\r\nHost: a\r\n\r\n",
            "GET / HTTP/9.9\r\nHost: a\r\n\r\n",
            "G\u{7F}T / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nBad Header: x\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nX: \(String(repeating: "a", count: 20_000))\r\n\r\n",
            "GET / HTTP/1.1\nHost: a\n\n\n",
            "\r\n\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\n folded: header\r\n\r\n",
            "CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: a\r\n\r\n",
        ]
        switch rng.next() % 6 {
        case 0:
            return Array(traps[Int(rng.next() % UInt64(traps.count))].utf8)
        case 1:  // flip bytes
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                bytes[Int(rng.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
        case 2:  // insert bytes
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: Int(rng.next() % UInt64(bytes.count)))
            }
        case 3:  // delete a range
            let start = Int(rng.next() % UInt64(bytes.count))
            let end = min(bytes.count, start + 1 + Int(rng.next() % 8))
            bytes.removeSubrange(start..<end)
        case 4:  // control characters where they do not belong
            bytes[Int(rng.next() % UInt64(bytes.count))] = [0, 0x0A, 0x0D, 0x7F, 0x20][Int(rng.next() % 5)]
        default:  // random garbage
            bytes = (0..<(1 + Int(rng.next() % 64))).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        }
        return bytes
    }

    /// What became of one request.
    enum Outcome: Hashable {
        case status(Int)
        case closed
    }

    /// Sends `bytes` on a new connection, half-closes, and reads the first response line (or the close).
    static func exchange(port: Int, _ bytes: [UInt8]) -> Outcome? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        // No TIME_WAIT pile-up over 100,000 connections: close with a reset.
        var linger = Glibc.linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &linger, socklen_t(MemoryLayout<Glibc.linger>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { return nil }
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        shutdown(fd, Int32(SHUT_WR))
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while !received.contains(0x0A) {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, $0.count, 0) }
            if n < 0, errno == EAGAIN { return nil }  // no answer within 10 s: the router hung
            if n <= 0 { return received.isEmpty ? .closed : nil }
            received += chunk[0..<n]
        }
        let line = String(decoding: received.prefix { $0 != 0x0D && $0 != 0x0A }, as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else { return nil }
        return .status(status)
    }

    @Test(
        "100,000 malformed requests: each gets an HTTP answer or a closed connection, none a 5xx from a crash, and the router keeps serving"
    )
    func fuzz() async throws {
        try await withRouter(weight: 50) { router, baseline, canary in
            let port = router.port
            let workers = 4
            let each = 25_000
            let results = await withTaskGroup(of: [Outcome?: Int].self) { group in
                for worker in 0..<workers {
                    group.addTask {
                        var rng = SplitMix(state: 0x5EED + UInt64(worker))
                        var counts: [Outcome?: Int] = [:]
                        for _ in 0..<each { counts[Self.exchange(port: port, Self.malformed(&rng)), default: 0] += 1 }
                        return counts
                    }
                }
                var all: [Outcome?: Int] = [:]
                for await counts in group { all.merge(counts, uniquingKeysWith: +) }
                return all
            }
            let total = results.values.reduce(0, +)
            #expect(total == workers * each)
            #expect(results[nil] == nil, "unanswered or unreadable: \(results[nil] ?? 0) (\(results))")
            let clientErrors = results.filter {
                if case .status(let s)? = $0.key { return (400..<500).contains(s) } else { return false }
            }
            .values.reduce(0, +)
            let serverErrors = results.filter {
                if case .status(let s)? = $0.key { return s >= 500 } else { return false }
            }
            // A mutation can leave a valid request (answered 2xx by the upstream) or a valid request whose
            // body is cut short (502 is not expected: the router waits for the body, then the client closes).
            #expect(serverErrors.isEmpty, "\(serverErrors)")
            #expect(clientErrors > total / 2, "\(results)")
            // Still serving.
            let client = try RawClient(port: port)
            let response = try client.get("/after", headers: ["X-User": "u1"])
            #expect(response.status == 200)
            _ = (baseline, canary)
        }
    }
}
