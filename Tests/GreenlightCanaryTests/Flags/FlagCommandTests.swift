import Foundation
import GreenlightJSON
import GreenlightTestSupport
import Testing

/// `greenlight flag …` as a user runs it: the binary built with these tests, a ledger in a temporary
/// folder, and `flag serve` as a process of its own killed by another process.
@Suite("greenlight flag", .serialized)
struct FlagCommandTests {
    func run(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await GreenlightBinary.run(arguments)
    }

    @Test("set, change, list, get, kill and revive, with exit 2 and a reason for bad input")
    func lifecycle() async throws {
        let folder = try TemporaryFolder("greenlight-flag-cli")
        defer { folder.remove() }
        let ledger = ["--ledger", folder.appending("ledger.sqlite").path]
        let created = try await run(
            [
                "flag", "set", "new-checkout", "--variant", "on=true", "--variant", "off=false", "--default", "off",
                "--rollout", "5:on", "--rule", "plan in pro,team -> on", "--by", "alice", "--reason", "canary",
            ] + ledger)
        #expect(created.status == 0, "\(created.output)")
        #expect(created.output.contains("flag new-checkout created"))
        let raised = try await run(["flag", "set", "new-checkout", "--rollout", "25:on", "--by", "alice"] + ledger)
        #expect(raised.status == 0, "\(raised.output)")
        #expect(raised.output.contains("25% of targeting keys -> on"))
        #expect(raised.output.contains("plan in pro,team -> on"))

        let listed = try await run(["flag", "list", "--json"] + ledger)
        #expect(listed.status == 0)
        guard case .array(let flags) = try JSONValue(parsing: Data(listed.output.utf8)) else {
            Issue.record("flag list --json printed no array: \(listed.output)")
            return
        }
        #expect(flags.count == 1)
        #expect(flags.first?["key"] == .string("new-checkout"))
        let got = try await run(["flag", "get", "new-checkout", "--json"] + ledger)
        let flag = try JSONValue(parsing: Data(got.output.utf8))
        #expect(flag["rollout"]?["percentage"] == .int(25))
        #expect(flag["lastChange"]?["by"] == .string("alice"))

        for (arguments, message) in [
            (
                ["flag", "set", "theme", "--variant", "a=1", "--variant", "b=x", "--default", "a"],
                "mixes variant types"
            ),
            (["flag", "set", "theme", "--variant", "a=1"], "give its variants and its default"),
            (["flag", "set", "new-checkout", "--rollout", "150:on"], "PERCENT 0 to 100"),
            (["flag", "set", "new-checkout", "--rule", "plan like pro -> on"], "OPERATOR one of"),
            (["flag", "set", "new-checkout", "--default", "maybe"], "default variant 'maybe'"),
            (["flag", "kill", "nope"], "no flag nope"),
            (["flag", "get", "nope"], "no flag nope"),
        ] {
            let result = try await run(arguments + ledger)
            #expect(result.status == 2, "\(arguments): \(result.output)")
            #expect(result.output.contains(message), "\(arguments): \(result.output)")
        }

        let killed = try await run(["flag", "kill", "new-checkout", "--reason", "5xx", "--by", "carol"] + ledger)
        #expect(killed.status == 0)
        #expect(killed.output.contains("everyone gets off = false"))
        let refused = try await run(["flag", "set", "new-checkout", "--rollout", "50:on"] + ledger)
        #expect(refused.status == 2)
        #expect(refused.output.contains("--revive"))
        let revived = try await run(["flag", "set", "new-checkout", "--revive"] + ledger)
        #expect(revived.status == 0, "\(revived.output)")
        #expect(revived.output.contains("revived"))
        let verified = try await run(["ledger", "verify"] + ledger)
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("intact, 4 records"))
    }

    @Test("flag serve answers OFREP and serves a kill from another process within 1 s")
    func serveAndKill() async throws {
        let folder = try TemporaryFolder("greenlight-flag-serve")
        defer { folder.remove() }
        let ledger = ["--ledger", folder.appending("ledger.sqlite").path]
        let created = try await run(
            ["flag", "set", "dark-mode", "--variant", "on=true", "--variant", "off=false", "--default", "on"] + ledger)
        #expect(created.status == 0, "\(created.output)")
        try await ChildProcess.with(GreenlightBinary.path, ["flag", "serve", "--listen", "127.0.0.1:0"] + ledger) {
            server in
            #expect(try await server.waitForOutput("serving flags over OFREP on http://127.0.0.1:"), "\(server.output)")
            let port = try #require(
                server.output.split(separator: ":").last.flatMap { Int($0.prefix { $0.isNumber }) }, "\(server.output)")
            let url = "http://127.0.0.1:\(port)/ofrep/v1/evaluate/flags/dark-mode"
            let body = #"{"context":{"targetingKey":"u-1"}}"#
            let before = try await LoopbackClient.post(url, body)
            #expect(before.json?["reason"] == .string("STATIC"))
            #expect(before.json?["value"] == .bool(true))

            // From the moment the operator runs the command: its start, its ledger write, its exit, the
            // server's next poll and the client's next request.
            let killedAt = ContinuousClock.now
            let kill = try await run(["flag", "kill", "dark-mode", "--reason", "test"] + ledger)
            #expect(kill.status == 0, "\(kill.output)")
            print("greenlight flag kill took \(ContinuousClock.now - killedAt)")
            var observed: Duration?
            while ContinuousClock.now - killedAt < .seconds(3) {
                let answer = try await LoopbackClient.post(url, body)
                if answer.json?["reason"] == .string("DISABLED") {
                    observed = ContinuousClock.now - killedAt
                    #expect(answer.json?["value"] == .bool(false))
                    break
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            let seen = try #require(observed, "the kill was not served within 3 s")
            print("kill by another process observed after \(seen)")
            #expect(seen < .seconds(1))
        }
    }
}
