import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// One HTTP/1.0 request to a server on 127.0.0.1, read to the end of its answer (its Content-Length, or
/// the connection's end): enough for a test to ask a server it started (Alertmanager, a webhook
/// receiver) without an HTTP client library. The socket work runs on a thread of its own, never on a
/// concurrency thread.
public enum LoopbackHTTPRequest {
    /// A server's answer.
    public struct Answer: Sendable {
        public var status: Int
        public var body: String
    }

    /// Sends `method path` with `body` to `port` and returns the answer; throws when nothing answers
    /// within `timeout` seconds.
    public static func send(
        port: Int, method: String = "GET", path: String, body: String? = nil,
        contentType: String = "application/json", timeout: Double = 5
    ) async throws -> Answer {
        var request = "\(method) \(path) HTTP/1.0\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        if let body {
            request += "Content-Type: \(contentType)\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)"
        } else {
            request += "\r\n"
        }
        let bytes = Array(request.utf8)
        return try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result { try exchange(bytes, port: port, timeout: timeout) })
            }.start()
        }
    }

    private static func exchange(_ request: [UInt8], port: Int, timeout: Double) throws -> Answer {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw CommandFailure("socket() failed") }
        defer { close(fd) }
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = Loopback.address(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw CommandFailure("cannot connect to 127.0.0.1:\(port): errno \(errno)") }
        var written = 0
        while written < request.count {
            let n = request[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else { throw CommandFailure("writing to 127.0.0.1:\(port) failed: errno \(errno)") }
            written += n
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        // To the end of the connection, or of the body its Content-Length announces.
        while !complete(response) {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n == 0 { break }
            guard n > 0 else { throw CommandFailure("no complete answer from 127.0.0.1:\(port) within \(timeout) s") }
            response += chunk[..<n]
        }
        let text = String(decoding: response, as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        let statusLine = parts[0].split(separator: "\r\n").first ?? ""
        guard let status = statusLine.split(separator: " ").dropFirst().first.flatMap({ Int($0) }) else {
            throw CommandFailure("127.0.0.1:\(port) did not answer HTTP: \(text.prefix(200))")
        }
        return Answer(status: status, body: parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// Whether `response` holds a head with a Content-Length and that much body.
    private static func complete(_ response: [UInt8]) -> Bool {
        let text = String(decoding: response, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return false }
        let length = text[..<end.lowerBound].split(separator: "\r\n").dropFirst().compactMap { line -> Int? in
            let parts = line.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, parts[0].lowercased() == "content-length" else { return nil }
            return Int(parts[1].trimmingCharacters(in: .whitespaces))
        }.first
        guard let length else { return false }
        return text[end.upperBound...].utf8.count >= length
    }
}
