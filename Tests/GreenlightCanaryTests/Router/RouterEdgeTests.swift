import Foundation
import Testing

@testable import GreenlightCanary

#if canImport(Glibc)
import Glibc
#endif

/// A loopback upstream that runs a script on each connection (raw bytes, a thread per connection), for
/// what a real server does only now and then: a thousand tiny chunks in one write, an early answer and
/// a reset in the middle of an upload.
final class ScriptedUpstream: @unchecked Sendable {
    let port: Int
    private let fd: Int32

    init(_ script: @escaping @Sendable (Int32) -> Void) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw RawClient.Closed() }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        self.fd = fd
        let listener = fd
        Thread.detachNewThread {
            while true {
                let client = accept(listener, nil, nil)
                if client < 0 { return }
                Thread.detachNewThread {
                    script(client)
                    close(client)
                }
            }
        }
    }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    /// Reads until the end of a head; false at the end of the stream.
    static func readHead(_ fd: Int32) -> Bool {
        var seen: [UInt8] = []
        var byte: UInt8 = 0
        while !(seen.count >= 4 && seen.suffix(4) == [13, 10, 13, 10]) {
            guard recv(fd, &byte, 1, 0) == 1 else { return false }
            seen.append(byte)
        }
        return true
    }

    static func send(_ fd: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { return }
            sent += n
        }
    }
}

@Suite("The canary router at the edges", .serialized)
struct RouterEdgeTests {
    static func router(to upstream: ScriptedUpstream) async throws -> CanaryRouter {
        var config = RouterConfiguration(
            baseline: RouterUpstream(host: "127.0.0.1", port: upstream.port),
            canary: RouterUpstream(host: "127.0.0.1", port: upstream.port))
        config.threads = 1
        return try await CanaryRouter.start(config)
    }

    @Test("an HTTP/1.0 client gets all of a chunked answer of 5,000 tiny chunks (more pieces than one write takes)")
    func manyChunksToHTTP10() async throws {
        let chunks = 5000
        let upstream = try ScriptedUpstream { fd in
            while ScriptedUpstream.readHead(fd) {
                let body = String(repeating: "a\r\n0123456789\r\n", count: chunks) + "0\r\n\r\n"
                ScriptedUpstream.send(fd, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + body)
            }
        }
        let router = try await Self.router(to: upstream)
        let client = try RawClient(port: router.port, timeoutSeconds: 5)
        try client.send("GET / HTTP/1.0\r\nHost: a\r\n\r\n")
        let all = try client.readToClose()
        let text = String(decoding: all, as: UTF8.self)
        let body = text.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
        #expect(text.hasPrefix("HTTP/1.0 200"))
        #expect(body.count == chunks * 10, "got \(body.count) of \(chunks * 10) body bytes")
        await router.stop()
        upstream.stop()
    }

    @Test("an upstream that answers 413 early and resets the upload: the client gets the 413, not a 502")
    func earlyAnswerToUpload() async throws {
        let upstream = try ScriptedUpstream { fd in
            guard ScriptedUpstream.readHead(fd) else { return }
            // Let the upload fill the socket, then answer and close with the body unread (a reset).
            usleep(300_000)
            ScriptedUpstream.send(
                fd, "HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        }
        let router = try await Self.router(to: upstream)
        for _ in 0..<5 {
            let client = try RawClient(port: router.port, timeoutSeconds: 5)
            try client.send("POST /up HTTP/1.1\r\nHost: a\r\nContent-Length: 100000000\r\n\r\n")
            // The body goes on from another thread while this one waits for the answer.
            nonisolated(unsafe) let uploader = client
            Thread.detachNewThread {
                let chunk = [UInt8](repeating: 0x78, count: 65536)
                while (try? uploader.send(bytes: chunk)) != nil {}
            }
            let response = try client.readResponse()
            #expect(response.status == 413)
        }
        await router.stop()
        upstream.stop()
    }

    @Test("stop twice, and stop with connections open: no hang, no crash")
    func stopTwice() async throws {
        let upstream = try ScriptedUpstream { fd in
            while ScriptedUpstream.readHead(fd) {
                ScriptedUpstream.send(fd, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            }
        }
        let router = try await Self.router(to: upstream)
        let clients = try (0..<20).map { _ in try RawClient(port: router.port) }
        for client in clients { #expect(try client.get("/").status == 200) }
        await router.stop()
        await router.stop()
        for client in clients { #expect(client.isClosedByPeer()) }
        upstream.stop()
    }
}
