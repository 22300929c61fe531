import Foundation
import GreenlightTestSupport
import Testing

/// `greenlight router FILE` as an operator runs it: the spec's rollout.proxy, weight changes through the
/// admin API recorded in the ledger as rollout events, and the ledger's flags served over OFREP.
@Suite("greenlight router with a spec and a ledger", .serialized)
struct RouterCommandTests {
    @Test("the spec's proxy serves, admin weight changes become rollout events, and OFREP answers from the router")
    func routerWithLedger() async throws {
        let folder = try TemporaryFolder("gl-router-cli")
        defer { folder.remove() }
        let upstream = try await LoopbackHTTPServer()
        let (listen, admin, flags) = (Loopback.freePort(), Loopback.freePort(), Loopback.freePort())
        let spec = """
            version: 1
            service: { name: checkout, version: "2.14.0", owner: payments }
            risk: { likelihood: 1, impact: 1 }
            rollout:
              steps: [1, 100]
              feature_flag: new-checkout
              sticky_key: { header: X-User }
              proxy:
                listen: 127.0.0.1:\(listen)
                baseline: http://127.0.0.1:\(upstream.port)
                canary: http://127.0.0.1:\(upstream.port)
                admin_listen: 127.0.0.1:\(admin)

            """
        try Data(spec.utf8).write(to: folder.appending("release.yaml"))
        let env = ["GREENLIGHT_LEDGER": folder.appending("ledger.sqlite").path]
        #expect(
            try CLI.run(["ledger", "init", "--admin-key", folder.appending("admin.key").path], env: env).status == 0)
        let set = try CLI.run(
            ["flag", "set", "new-checkout", "--variant", "on=true", "--variant", "off=false", "--default", "off"],
            env: env)
        #expect(set.status == 0, "\(set.all)")

        let router = try ChildProcess(
            CLI.binary.path, [folder.appending("release.yaml").path, "--flags-port", "\(flags)"].with(first: "router"),
            environment: env)
        #expect(try await router.waitForOutput("Ctrl-C stops it", seconds: 30), "\(router.output)")
        #expect(router.output.contains("group new-checkout"), "\(router.output)")
        #expect(router.output.contains("rollout events of checkout@2.14.0 go to"), "\(router.output)")

        func curl(_ arguments: [String]) throws -> CLI.Result {
            try CLI.runProgram("/usr/bin/curl", ["-s", "-S", "--max-time", "10"] + arguments)
        }
        let proxied = try curl(["-i", "-H", "X-User: alice", "http://127.0.0.1:\(listen)/"])
        #expect(
            proxied.stdout.contains("200 OK") && proxied.stdout.contains("X-Greenlight-Arm: baseline"), "\(proxied.all)"
        )
        for body in ["{\"weight\": 5}", "{\"weight\": 25}"] {
            let r = try curl(["-X", "POST", "-d", body, "http://127.0.0.1:\(admin)/weight"])
            #expect(r.stdout.contains("\"weight\":"), "\(r.all)")
        }
        #expect(try curl(["-X", "POST", "http://127.0.0.1:\(admin)/drain"]).status == 0)
        let ofrep = try curl([
            "-X", "POST", "-H", "Content-Type: application/json", "-d", "{\"context\":{\"targetingKey\":\"alice\"}}",
            "http://127.0.0.1:\(flags)/ofrep/v1/evaluate/flags/new-checkout",
        ])
        let answer = try JSONSerialization.jsonObject(with: Data(ofrep.stdout.utf8)) as? [String: Any]
        #expect(answer?["value"] as? Bool == false, "\(ofrep.all)")
        #expect(answer?["variant"] as? String == "off")

        // The events are written by one task in order; give it a moment, then stop the router.
        var show = CLI.Result(status: 1, stdout: "", stderr: "")
        for _ in 0..<50 {
            show = try CLI.run(["ledger", "show", "checkout@2.14.0"], env: env)
            if show.stdout.contains("drain") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let lines = show.stdout.split(separator: "\n").filter { $0.contains("rollout-event") }
        #expect(lines.count == 3, "\(show.all)")
        #expect(lines.first?.hasSuffix("weight 0% → 5% by admin-api 127.0.0.1") == true, "\(lines)")
        #expect(lines.last?.hasSuffix("drain 25% → 0% by admin-api 127.0.0.1") == true, "\(lines)")
        kill(router.pid, SIGTERM)
        _ = await router.wait()
        await upstream.shutdown()
    }

    @Test("a spec without rollout.proxy, and no upstreams, is refused with exit 2")
    func noProxy() throws {
        let folder = try TemporaryFolder("gl-router-cli")
        defer { folder.remove() }
        try Data(SpecFixtures.minimal.utf8).write(to: folder.appending("release.yaml"))
        let r = try CLI.run(["router", folder.appending("release.yaml").path])
        #expect(r.status == 2)
        #expect(r.stderr.contains("has no rollout.proxy (listen, baseline, canary)"), "\(r.all)")
        let none = try CLI.run(["router"])
        #expect(none.status == 2)
        #expect(
            none.stderr.contains("give a spec with rollout.proxy, or --baseline URL and --canary URL"), "\(none.all)")
    }
}

extension Array where Element == String {
    /// The list with `first` in front.
    fileprivate func with(first: String) -> [String] { [first] + self }
}
