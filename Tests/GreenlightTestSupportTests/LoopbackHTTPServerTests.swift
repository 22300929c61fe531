import Foundation
import GreenlightTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The kit's loopback server, spoken to over a plain socket.
@Suite("The test kit's loopback HTTP server")
struct LoopbackHTTPServerTests {
    /// Sends `request` on a new connection to `port` and returns what arrives until the server closes
    /// or `bytes` have arrived.
    static func exchange(_ port: Int, _ request: String, bytes: Int = .max) throws -> String {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = Loopback.address(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw CommandFailure("cannot connect to 127.0.0.1:\(port)") }
        let sent = Array(request.utf8)
        guard send(fd, sent, sent.count, 0) == sent.count else { throw CommandFailure("send failed") }
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while received.count < bytes {
            let count = recv(fd, &chunk, chunk.count, 0)
            if count <= 0 { break }
            received += chunk[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }

    @Test("answers each request from its head with the chosen status, headers and body")
    func answersFromTheHead() async throws {
        let server = try await LoopbackHTTPServer { head in
            .init(status: 202, reason: "Accepted", headers: [("X-Seen", "yes")], body: head)
        }
        let heads = ["GET /a HTTP/1.1\r\nHost: one", "POST /b?q=1 HTTP/1.1\r\nHost: two\r\nX-Token: t"]
        for head in heads {
            let answer = try Self.exchange(server.port, head + "\r\n\r\n")
            #expect(answer.hasPrefix("HTTP/1.1 202 Accepted\r\nX-Seen: yes\r\n"), "\(answer)")
            #expect(answer.contains("Content-Length: \(head.utf8.count)\r\n"), "\(answer)")
            #expect(answer.hasSuffix("\r\n\r\n" + head), "\(answer)")
        }
        #expect(server.requests.current == heads)
        #expect(server.url == "http://127.0.0.1:\(server.port)/")
        await server.shutdown()
    }

    @Test("in ok mode answers every request of a kept-alive connection and counts them")
    func keepsAlive() async throws {
        let server = try await LoopbackHTTPServer(.ok)
        let request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        let answer = try Self.exchange(
            server.port, request + request, bytes: 2 * LoopbackHTTPServer.okAnswer.utf8.count)
        #expect(answer == LoopbackHTTPServer.okAnswer + LoopbackHTTPServer.okAnswer)
        #expect(server.requestCount == 2)
        await server.shutdown()
    }
}

@Suite("The test kit's folders and specs")
struct TestKitTests {
    @Test("a temporary folder exists, is unique, and is gone after its body")
    func temporaryFolder() throws {
        let (first, second) = try withTemporaryFolder { folder in
            try withTemporaryFolder { other in
                try folder.write("x", to: "file.txt")
                #expect(FileManager.default.fileExists(atPath: folder.appending("file.txt").path))
                return (folder.path, other.path)
            }
        }
        #expect(first != second)
        #expect(!FileManager.default.fileExists(atPath: first))
        #expect(!FileManager.default.fileExists(atPath: second))
    }

    @Test("the minimal spec and the header load; a broken spec gives its diagnostics")
    func specs() throws {
        #expect(try SpecFixtures.load(SpecFixtures.minimal).service.name == "checkout")
        #expect(try SpecFixtures.load(SpecFixtures.header(name: "shop")).service.name == "shop")
        #expect(SpecFixtures.diagnostics(SpecFixtures.minimal) == [])
        #expect(!SpecFixtures.diagnostics("version: 1\n").isEmpty)
    }
}
