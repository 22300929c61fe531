import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCanary

/// Bodies through the router with curl as the client: byte-exact both ways, chunked and content-length.
@Suite("The canary router's bodies", .serialized)
struct RouterBodyTests {
    static func curl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
        process.arguments = ["-sS", "--max-time", "120"] + arguments
        let pipe = Pipe()
        let errors = Pipe()
        process.standardOutput = pipe
        process.standardError = errors
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw RouterError("curl \(arguments) exited \(process.terminationStatus): \(errorText)")
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func sha256(_ path: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        process.arguments = [path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }

    /// A file of `count` bytes, byte i being i % 251 (what the test upstream's /bytes/N sends).
    static func patternFile(_ folder: TemporaryFolder, _ count: Int) throws -> String {
        let path = folder.appending("pattern-\(count)").path
        let block = [UInt8]((0..<(251 * 4096)).map { UInt8($0 % 251) })
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        var left = count
        while left > 0 {
            let size = min(left, block.count)
            try handle.write(contentsOf: block[0..<size])
            left -= size
        }
        try handle.close()
        return path
    }

    static func residentBytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return (Int(line.split(separator: " ")[1]) ?? 0) * 1024
        }
        return 0
    }

    @Test(
        "0 B, 1 MB and 100 MB, up and down, content-length and chunked, byte-exact",
        arguments: [0, 1_000_000, 100_000_000])
    func bodies(size: Int) async throws {
        try await withRouter { router, _, _ in
            let folder = try TemporaryFolder("router-bodies")
            defer { folder.remove() }
            let source = try Self.patternFile(folder, size)
            let digest = try Self.sha256(source)
            let base = "http://127.0.0.1:\(router.port)"
            let before = Self.residentBytes()
            for chunked in [false, true] {
                let out = folder.appending("out-\(chunked)").path
                // Up and back down: the echo route streams the request body into the response.
                // curl streams a file with -T, but never ends an empty chunked one; it sends small ones
                // whole with --data-binary.
                let body = size < 10_000_000 ? ["--data-binary", "@" + source] : ["-T", source]
                var upload =
                    body + ["-X", "POST", "-H", "Content-Type: application/octet-stream", "-o", out, "\(base)/echo"]
                if chunked { upload += ["-H", "Transfer-Encoding: chunked"] }
                _ = try Self.curl(upload)
                #expect(try Self.sha256(out) == digest, "echo of \(size) bytes, chunked: \(chunked)")
                // Down only.
                let down = folder.appending("down-\(chunked)").path
                let headers = try Self.curl([
                    "-D", "-", "-o", down, "\(base)/bytes/\(size)\(chunked ? "?chunked" : "")",
                ])
                #expect(try Self.sha256(down) == digest, "download of \(size) bytes, chunked: \(chunked)")
                #expect(
                    headers.lowercased().contains(chunked ? "transfer-encoding: chunked" : "content-length: \(size)"))
                #expect(headers.lowercased().contains("x-greenlight-arm: baseline"))
            }
            let grown = Self.residentBytes() - before
            // 400 MB went through (router and upstream in this process); none of it is held.
            #expect(grown < 64_000_000, "resident memory grew \(grown) bytes")
            print("router bodies \(size) B: resident memory grew \(grown / 1024) KiB")
        }
    }

    /// Reads exactly `count` bytes from `fd` (fewer at the end of the stream).
    static func readBytes(_ fd: Int32, _ count: Int) -> Int {
        var got = 0
        var chunk = [UInt8](repeating: 0, count: 65536)
        while got < count {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress!, min($0.count, count - got), 0) }
            if n <= 0 { break }
            got += n
        }
        return got
    }

    @Test(
        "a client that stops reading a 1 GB download: the router stops reading the upstream, and its memory stays flat")
    func clientThatStopsReading() async throws {
        try await withRouter { router, _, _ in
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            #expect(fd >= 0)
            defer { close(fd) }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(router.port).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            #expect(connected == 0)
            let before = Self.residentBytes()
            let request = Array("GET /bytes/1000000000 HTTP/1.1\r\nHost: a\r\n\r\n".utf8)
            _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            #expect(Self.readBytes(fd, 4 << 20) == 4 << 20)
            // The client stops reading: the upstream and the router keep sending only until the sockets fill.
            try await Task.sleep(for: .seconds(2))
            let grown = Self.residentBytes() - before
            #expect(grown < 64_000_000, "resident memory grew \(grown) bytes while the client did not read")
            // And it flows again once the client reads.
            #expect(Self.readBytes(fd, 16 << 20) == 16 << 20)
            print("a client that stopped reading: resident memory grew \(grown / 1024) KiB")
        }
    }
}
