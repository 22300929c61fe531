import Foundation
import GreenlightCore
import Testing

@testable import GreenlightProbes

/// A real HTTP server on loopback: Python's http.server on a free port, serving a folder.
final class LoopbackHTTPServer {
    let process = Process()
    let port: Int

    init(serving directory: URL) throws {
        port = try Self.freePort()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-m", "http.server", String(port), "--bind", "127.0.0.1", "--directory", directory.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        // Wait until it accepts connections (bounded).
        for _ in 0..<200 {
            if Self.canConnect(port) { return }
            usleep(25_000)
        }
        throw CocoaError(.fileReadUnknown)
    }

    deinit {
        // SIGKILL: test threads block SIGTERM, and the child inherits that mask.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func canConnect(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }
}

@Suite("Checklist evidence", .serialized)
struct EvidenceCollectorTests {
    static func item(_ id: String, _ evidence: String) throws -> CustomItem {
        let text = """
            version: 1
            service: { name: s, version: "1", owner: o }
            risk: { likelihood: 1, impact: 1 }
            checklist:
              custom:
                - { id: \(id), title: T, evidence: \(evidence) }

            """
        return try SpecLoader(environment: [:]).load(data: Data(text.utf8), file: "t.yaml").checklist.custom[0]
    }

    static func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("gl-ev-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try "ready\n".write(to: dir.appendingPathComponent("present.md"), atomically: true, encoding: .utf8)
        try Data().write(to: dir.appendingPathComponent("empty.md"))
        return dir
    }

    @Test("file evidence: present passes with its hash; missing and empty fail")
    func files() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let collector = EvidenceCollector(directory: dir.path)
        let present = await collector.check(try Self.item("a", "{ file: present.md }"))
        #expect(present.status == .pass)
        #expect(present.evidence.first?.sha256 == Hashing.sha256Hex(Data("ready\n".utf8)))
        let missing = await collector.check(try Self.item("b", "{ file: absent.md }"))
        #expect(missing.status == .fail)
        #expect(missing.summary.hasPrefix("file absent.md does not exist"))
        #expect(await collector.check(try Self.item("c", "{ file: empty.md }")).summary == "file empty.md is empty")
    }

    @Test("command evidence runs in the spec's folder; exit code and output are reported")
    func commands() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let collector = EvidenceCollector(directory: dir.path)
        let ok = await collector.check(try Self.item("a", "{ command: \"test -f present.md && echo found it\" }"))
        #expect(ok.status == .pass, "\(ok.summary)")
        #expect(ok.details.contains("  found it"))
        let bad = await collector.check(try Self.item("b", "{ command: \"echo nope >&2; exit 4\" }"))
        #expect(bad.status == .fail)
        #expect(bad.summary == "echo nope >&2; exit 4 exited 4")
        #expect(bad.details.contains("  nope"))
    }

    @Test("a command past its timeout is stopped with everything it started, within the budget")
    func timeout() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let marker = dir.appendingPathComponent("child-survived")
        // The child sleeps, then would write a marker: it must die with its parent's group.
        let command = "(sleep 2; touch \(marker.path)) & sleep 30"
        let start = ContinuousClock.now
        let result = await EvidenceCollector(directory: dir.path).check(
            try Self.item("slow", "{ command: \"\(command)\", timeout: 500ms }"))
        let elapsed = ContinuousClock.now - start
        #expect(result.status == .fail)
        #expect(result.summary.hasSuffix("did not finish within 500ms; stopped"))
        #expect(elapsed < .milliseconds(1500), "took \(elapsed)")
        try await Task.sleep(for: .milliseconds(2500))
        #expect(!FileManager.default.fileExists(atPath: marker.path), "the command's child outlived the timeout")
    }

    @Test("URL evidence against a real loopback server: 2xx passes, 404 and refused fail")
    func urls() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let server = try LoopbackHTTPServer(serving: dir)
        let collector = EvidenceCollector(directory: dir.path)
        let ok = await collector.check(try Self.item("a", "{ url: \"http://127.0.0.1:\(server.port)/present.md\" }"))
        #expect(ok.status == .pass, "\(ok.summary)")
        #expect(ok.summary.hasSuffix("answered 200"))
        let notFound = await collector.check(try Self.item("b", "{ url: \"http://127.0.0.1:\(server.port)/nothing\" }"))
        #expect(notFound.status == .fail)
        #expect(notFound.summary.hasSuffix("answered 404; evidence needs a 2xx answer"))
        let closed = try LoopbackHTTPServer.freePort()
        let refused = await collector.check(try Self.item("c", "{ url: \"http://127.0.0.1:\(closed)/\", timeout: 2s }"))
        #expect(refused.status == .fail)
        #expect(refused.summary.hasSuffix("refused the connection"), "\(refused.summary)")
    }

    @Test("items are checked concurrently: ten 1-second commands finish in about 2 s with concurrency 8")
    func concurrency() async throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let items = try (0..<10).map { try Self.item("i\($0)", "{ command: \"sleep 1\" }") }
        let start = ContinuousClock.now
        let results = await EvidenceCollector(directory: dir.path, concurrency: 8).collect(items)
        let elapsed = ContinuousClock.now - start
        #expect(results.count == 10)
        #expect(results.values.allSatisfy { $0.status == .pass })
        #expect(elapsed < .milliseconds(3500), "took \(elapsed)")
    }
}
