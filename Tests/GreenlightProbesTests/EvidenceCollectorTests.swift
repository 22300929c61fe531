import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightProbes

@Suite("Checklist evidence", .serialized)
struct EvidenceCollectorTests {
    static func item(_ id: String, _ evidence: String) throws -> CustomItem {
        let text = """
            \(SpecFixtures.header(name: "s", owner: "o"))
            checklist:
              custom:
                - { id: \(id), title: T, evidence: \(evidence) }

            """
        return try SpecFixtures.load(text).checklist.custom[0]
    }

    static func folder() throws -> TemporaryFolder {
        let dir = try TemporaryFolder("gl-ev")
        try dir.write("ready\n", to: "present.md")
        try Data().write(to: dir.appending("empty.md"))
        return dir
    }

    /// A real HTTP server on loopback serving the files of `folder`: 200 with a file's content, 404 for
    /// a name that is not there.
    static func fileServer(_ folder: TemporaryFolder) async throws -> LoopbackHTTPServer {
        try await LoopbackHTTPServer { head in
            let path = head.split(separator: " ").dropFirst().first.map(String.init) ?? "/"
            guard let text = try? String(contentsOf: folder.appending(path), encoding: .utf8) else {
                return .init(status: 404, reason: "Not Found", body: "")
            }
            return .init(body: text)
        }
    }

    @Test("file evidence: present passes with its hash; missing and empty fail")
    func files() async throws {
        let dir = try Self.folder()
        defer { dir.remove() }
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
        defer { dir.remove() }
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
        defer { dir.remove() }
        let marker = dir.appending("child-survived")
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
        defer { dir.remove() }
        let server = try await Self.fileServer(dir)
        defer { Task { await server.shutdown() } }
        let collector = EvidenceCollector(directory: dir.path)
        let ok = await collector.check(try Self.item("a", "{ url: \"http://127.0.0.1:\(server.port)/present.md\" }"))
        #expect(ok.status == .pass, "\(ok.summary)")
        #expect(ok.summary.hasSuffix("answered 200"))
        let notFound = await collector.check(try Self.item("b", "{ url: \"http://127.0.0.1:\(server.port)/nothing\" }"))
        #expect(notFound.status == .fail)
        #expect(notFound.summary.hasSuffix("answered 404; evidence needs a 2xx answer"))
        let closed = Loopback.closedPort()
        let refused = await collector.check(try Self.item("c", "{ url: \"http://127.0.0.1:\(closed)/\", timeout: 2s }"))
        #expect(refused.status == .fail)
        #expect(refused.summary.hasSuffix("refused the connection"), "\(refused.summary)")
    }

    @Test("items are checked concurrently: ten 1-second commands finish in about 2 s with concurrency 8")
    func concurrency() async throws {
        let dir = try Self.folder()
        defer { dir.remove() }
        let items = try (0..<10).map { try Self.item("i\($0)", "{ command: \"sleep 1\" }") }
        let start = ContinuousClock.now
        let results = await EvidenceCollector(directory: dir.path, concurrency: 8).collect(items)
        let elapsed = ContinuousClock.now - start
        #expect(results.count == 10)
        #expect(results.values.allSatisfy { $0.status == .pass })
        #expect(elapsed < .milliseconds(3500), "took \(elapsed)")
    }
}
