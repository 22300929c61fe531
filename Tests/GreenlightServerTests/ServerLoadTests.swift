import AsyncHTTPClient
import Foundation
import GreenlightJSON
import GreenlightServer
import GreenlightTestSupport
import NIOCore
import NIOHTTP1
import Testing

@testable import GreenlightLedger

/// Many writers at once, a server killed in the middle of a burst, and a graceful stop.
@Suite("The team server under concurrent writers, kill -9 and SIGTERM", .serialized)
struct ServerLoadTests {
    static let path = "/api/v1/releases/checkout@2.14.0/signoffs"

    /// Eight signers, s0…s7, four for engineering and four for sre.
    static let signers: [(name: String, roles: [String])] = (0..<8).map {
        ("s\($0)", [$0 % 2 == 0 ? "engineering" : "sre"])
    }

    @Test("8 signers × 500 sign-offs through the API at once: all 4,000 recorded, the chain verifies, the gate opens")
    func eightTimesFiveHundred() async throws {
        let setup = try await ServerSetup.start(signers: Self.signers)
        defer { Task { await setup.stop() } }
        let digest = try await setup.recordReport()
        let before = try await setup.ledger.store.head().count
        let statuses = try await withThrowingTaskGroup(of: [Int].self) { group in
            for (index, signer) in Self.signers.enumerated() {
                group.addTask {
                    var statuses: [Int] = []
                    for n in 0..<500 {
                        let signed = try setup.signOff(
                            signer.name, signer.roles[0], digest, comment: "check \(n)",
                            at: ServerSetup.date.addingTimeInterval(Double(index * 1000 + n)))
                        let answer = try await setup.call(
                            .POST, Self.path, token: setup.tokens[signer.name], json: try ServerSetup.json(signed))
                        statuses.append(answer.status)
                    }
                    return statuses
                }
            }
            var all: [Int] = []
            for try await part in group { all += part }
            return all
        }
        #expect(statuses.count == 4000)
        #expect(statuses.allSatisfy { $0 == 201 }, "\(Dictionary(grouping: statuses, by: { $0 }).mapValues(\.count))")
        let head = try await setup.ledger.store.head()
        #expect(head.count == before + 4000)
        let signOffs = try await setup.ledger.history(release: ServerSetup.release).filter { $0.kind == .signoff }
        #expect(signOffs.count == 4000)
        #expect(try await setup.ledger.store.verify(signatures: LedgerSignatures()) == .intact(head))
        let gate = try await setup.call(.GET, "/api/v1/releases/checkout@2.14.0/gate", token: setup.tokens["s0"])
        #expect(gate.json?["open"] == .bool(true), "\(gate.text.prefix(400))")
    }

    @Test(
        "kill -9 during a burst of sign-offs, then a restart: every acknowledged sign-off is there, no partial record")
    func killNine() async throws {
        let setup = try await ServerSetup.start(signers: Self.signers)
        await setup.server.stop()
        defer { setup.folder.remove() }
        let digest = try await setup.recordReport()
        var acknowledged = Set<String>()
        for round in 0..<3 {
            let port = Loopback.freePort()
            let server = try ChildProcess(
                GreenlightBinary.path, ["serve", "--ledger", setup.path, "--port", String(port), "--quiet"])
            #expect(try await server.waitForOutput("greenlight serve: http://127.0.0.1:\(port)"), "\(server.output)")
            let base = "http://127.0.0.1:\(port)"
            let writers = Task {
                try await withThrowingTaskGroup(of: [String].self) { group in
                    for (index, signer) in Self.signers.enumerated() {
                        group.addTask {
                            var mine: [String] = []
                            for n in 0..<10_000 {
                                let signed = try setup.signOff(
                                    signer.name, signer.roles[0], digest, comment: "round \(round) #\(n)",
                                    at: ServerSetup.date.addingTimeInterval(
                                        Double(round * 1_000_000 + index * 10_000 + n)))
                                var request = HTTPClientRequest(url: base + Self.path)
                                request.method = .POST
                                request.headers.add(
                                    name: "Authorization", value: "Bearer \(setup.tokens[signer.name]!)")
                                request.headers.add(name: "Content-Type", value: "application/json")
                                request.body = .bytes(ByteBuffer(string: try ServerSetup.json(signed).serialized()))
                                do {
                                    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
                                    _ = try await response.body.collect(upTo: 1 << 20)
                                    if response.status == .created { mine.append(signed.signature) }
                                } catch {
                                    return mine
                                }
                            }
                            return mine
                        }
                    }
                    var all: [String] = []
                    for try await part in group { all += part }
                    return all
                }
            }
            try await Task.sleep(for: .milliseconds(400 + round * 150))
            await server.kill()
            acknowledged.formUnion(try await writers.value)
        }
        #expect(acknowledged.count > 20, "the bursts wrote too little to test anything: \(acknowledged.count)")
        // Restarted on the same ledger: intact, and every acknowledged sign-off recorded exactly once.
        let reopened = ReleaseLedger(store: try SQLiteLedgerStore(path: setup.path))
        let head = try await reopened.store.head()
        #expect(try await reopened.store.verify(signatures: LedgerSignatures()) == .intact(head))
        let recorded = try await reopened.history(release: ServerSetup.release).compactMap {
            $0.signature?.bytes.base64EncodedString()
        }
        #expect(Set(recorded).count == recorded.count, "a sign-off recorded twice")
        #expect(acknowledged.isSubset(of: Set(recorded)), "an acknowledged sign-off is missing")
        let restarted = try await TeamServer(
            store: reopened.store, configuration: .init(host: "127.0.0.1", port: 0, log: nil)
        ).start()
        defer { Task { await restarted.stop() } }
        var request = HTTPClientRequest(url: restarted.baseURL + "/healthz")
        request.method = .GET
        let health = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
        #expect(health.status == .ok)
    }

    @Test("SIGTERM: requests already received are answered and recorded, then the server exits 0")
    func gracefulStop() async throws {
        let setup = try await ServerSetup.start(signers: Self.signers)
        await setup.server.stop()
        defer { setup.folder.remove() }
        let digest = try await setup.recordReport()
        let port = Loopback.freePort()
        let server = try ChildProcess(
            GreenlightBinary.path, ["serve", "--ledger", setup.path, "--port", String(port), "--quiet"])
        #expect(try await server.waitForOutput("greenlight serve: http://127.0.0.1:\(port)"), "\(server.output)")
        let base = "http://127.0.0.1:\(port)"
        // 32 sign-offs sent at once on connections of their own; SIGTERM once the first is answered.
        var configuration = HTTPClient.Configuration()
        configuration.maximumUsesPerConnection = 1
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        let firstAnswered = AsyncStream<Void>.makeStream()
        let results = Task {
            await withTaskGroup(of: (String, Result<Int, any Error>).self) { group in
                for n in 0..<32 {
                    let signer = Self.signers[n % 8]
                    let signed = try! setup.signOff(
                        signer.name, signer.roles[0], digest, comment: "graceful \(n)",
                        at: ServerSetup.date.addingTimeInterval(Double(n)))
                    group.addTask {
                        var request = HTTPClientRequest(url: base + Self.path)
                        request.method = .POST
                        request.headers.add(name: "Authorization", value: "Bearer \(setup.tokens[signer.name]!)")
                        request.headers.add(name: "Content-Type", value: "application/json")
                        request.body = .bytes(ByteBuffer(string: try! ServerSetup.json(signed).serialized()))
                        do {
                            let response = try await client.execute(request, timeout: .seconds(4))
                            _ = try await response.body.collect(upTo: 1 << 20)
                            firstAnswered.continuation.yield()
                            return (signed.signature, .success(Int(response.status.code)))
                        } catch {
                            return (signed.signature, .failure(error))
                        }
                    }
                }
                var all: [(String, Result<Int, any Error>)] = []
                for await result in group { all.append(result) }
                return all
            }
        }
        var answers = firstAnswered.stream.makeAsyncIterator()
        _ = await answers.next()
        kill(server.pid, SIGTERM)
        let outcome = await results.value
        let status = await server.wait()
        try await client.shutdown()
        #expect((status >> 8) & 0xFF == 0 && status & 0x7F == 0, "exit status \(status): \(server.output)")
        let created = outcome.compactMap { if case .success(201) = $0.1 { return $0.0 } else { return nil } }
        for (_, result) in outcome {
            if case .success(let code) = result { #expect(code == 201) }
        }
        // What the server took in, it answered: every sign-off recorded was acknowledged, and every one
        // acknowledged was recorded. The rest were never read: refused at connect once the listener
        // closed, reset in the listen backlog, or sent on a connection closed while idle.
        let recorded = Set(
            try await setup.ledger.history(release: ServerSetup.release).compactMap {
                $0.signature?.bytes.base64EncodedString()
            })
        #expect(recorded == Set(created), "recorded \(recorded.count), acknowledged \(created.count)")
        #expect(!created.isEmpty)
        unlink(server.outputPath)
    }
}
