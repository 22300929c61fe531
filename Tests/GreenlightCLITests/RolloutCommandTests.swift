import Foundation
import GreenlightTestSupport
import Synchronization
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `greenlight rollout FILE` as an operator runs it, every part its own process: two DemoShops (v1 and
/// v2), `greenlight router` from the spec, users on it, and the controller, killed mid-step and started
/// again.
@Suite("greenlight rollout with a router, two DemoShop processes and a ledger", .serialized)
struct RolloutCommandTests {
    /// Requests from many users (a random X-User each) through the router until stopped.
    final class Users: Sendable {
        final class StopFlag: Sendable {
            let value = Atomic(false)
        }
        private let stopped = StopFlag()
        private let task: Task<Int, Never>

        init(port: Int) {
            let stopped = self.stopped
            task = Task.detached {
                var sent = 0
                let session = URLSession(configuration: .ephemeral)
                while !stopped.value.load(ordering: .relaxed) {
                    await withTaskGroup(of: Void.self) { group in
                        for _ in 0..<8 {
                            group.addTask {
                                var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/api/products")!)
                                request.setValue("u\(Int.random(in: 0..<100_000))", forHTTPHeaderField: "X-User")
                                request.timeoutInterval = 5
                                _ = try? await session.data(for: request)
                            }
                        }
                    }
                    sent += 8
                }
                return sent
            }
        }

        func stop() async -> Int {
            stopped.value.store(true, ordering: .relaxed)
            return await task.value
        }
    }

    static func spec(listen: Int, admin: Int, baseline: Int, canary: Int, bake: String) -> String {
        """
        version: 1
        service: { name: checkout, version: "2.14.0", owner: payments }
        risk: { likelihood: 1, impact: 1 }
        rollout:
          steps: [20, 50, 100]
          bake: \(bake)
          interval: 1s
          feature_flag: checkout-v2
          sticky_key: { header: X-User }
          analysis:
            metrics:
              - { name: error_rate, direction: increase, critical: true }
              - { name: latency_p99, direction: increase }
          proxy:
            listen: 127.0.0.1:\(listen)
            baseline: http://127.0.0.1:\(baseline)
            canary: http://127.0.0.1:\(canary)
            admin_listen: 127.0.0.1:\(admin)
        rollback:
          command: echo rolled back > rolled-back.txt
          automated: true
        signoff: { required: [engineering] }

        """
    }

    /// The built-in policy with the low class allowing a test's short plan: a 20 % first step, 1 s bakes.
    static func writePolicy(_ folder: TemporaryFolder) throws -> String {
        let standard = try CLI.run(["risk", "--show-policy"]).stdout
        let low = standard.replacingOccurrences(
            of: "first_step_max_percent: 5     #", with: "first_step_max_percent: 20    #"
        )
        .replacingOccurrences(of: "min_bake: 5m ", with: "min_bake: 1s ")
        #expect(low != standard)
        let path = folder.appending("policy.yaml").path
        try Data(low.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    /// Two shops, the router, a ledger with the kill-switch flag; `body` gets the spec's path and the env.
    static func withSetup(
        canaryErrorRate: Double, bake: String,
        _ body: (_ spec: String, _ env: [String: String], _ folder: TemporaryFolder, _ routerPort: Int) async throws
            -> Void
    ) async throws {
        let folder = try TemporaryFolder("gl-rollout-cli")
        defer { folder.remove() }
        let (listen, admin, baselinePort, canaryPort) = (
            Loopback.freePort(), Loopback.freePort(), Loopback.freePort(), Loopback.freePort()
        )
        let baseline = try ChildProcess(CLI.binary.path, ["demo", "shop", "--port", "\(baselinePort)"])
        let canary = try ChildProcess(
            CLI.binary.path,
            ["demo", "shop", "--port", "\(canaryPort)", "--version", "v2", "--error-rate", "\(canaryErrorRate)"])
        let path = folder.appending("release.yaml").path
        try Data(
            spec(listen: listen, admin: admin, baseline: baselinePort, canary: canaryPort, bake: bake).utf8
        ).write(to: URL(fileURLWithPath: path))
        let env = ["GREENLIGHT_LEDGER": folder.appending("ledger.sqlite").path]
        #expect(
            try CLI.run(["ledger", "init", "--admin-key", folder.appending("admin.key").path], env: env).status == 0)
        let flag = try CLI.run(
            ["flag", "set", "checkout-v2", "--variant", "on=true", "--variant", "off=false", "--default", "on"],
            env: env)
        #expect(flag.status == 0, "\(flag.all)")
        let router = try ChildProcess(CLI.binary.path, ["router", path], environment: env)
        #expect(try await router.waitForOutput("Ctrl-C stops it", seconds: 30), "\(router.output)")
        var withPolicy = env
        withPolicy["POLICY"] = try writePolicy(folder)
        try await body(path, withPolicy, folder, listen)
        await router.kill()
        await baseline.kill()
        await canary.kill()
    }

    @Test(
        "a bad canary: rolled back at the first step, exit 1, the flag killed, rollback.command run, the ledger tells it"
    )
    func badCanary() async throws {
        try await Self.withSetup(canaryErrorRate: 0.5, bake: "4s") { spec, env, folder, port in
            let users = Users(port: port)
            let run = try CLI.run(["rollout", spec, "--policy", env["POLICY"]!], env: env, timeout: 60)
            _ = await users.stop()
            #expect(run.status == 1, "\(run.all)")
            #expect(run.stdout.contains("step 1/3: canary at 20 %"), "\(run.all)")
            #expect(run.stdout.contains("rolled back: weight 0"), "\(run.all)")
            #expect(run.stdout.contains("error_rate"), "\(run.all)")
            #expect(FileManager.default.fileExists(atPath: folder.appending("rolled-back.txt").path))
            let flag = try CLI.run(["flag", "get", "checkout-v2", "--json"], env: env)
            #expect(flag.stdout.contains("\"killed\": true"), "\(flag.all)")
            let show = try CLI.run(["ledger", "show", "checkout@2.14.0"], env: env)
            #expect(show.stdout.contains("rollback"), "\(show.all)")
        }
    }

    @Test("the controller killed mid-step: started again, it resumes that step and promotes a good canary")
    func resumeAfterKill() async throws {
        try await Self.withSetup(canaryErrorRate: 0, bake: "3s") { spec, env, _, port in
            let users = Users(port: port)
            let first = try ChildProcess(
                CLI.binary.path, ["rollout", spec, "--policy", env["POLICY"]!], environment: env)
            #expect(try await first.waitForOutput("step 2/3: canary at 50 %", seconds: 30), "\(first.output)")
            kill(first.pid, SIGKILL)
            _ = await first.wait()
            let second = try CLI.run(["rollout", spec, "--policy", env["POLICY"]!], env: env, timeout: 60)
            _ = await users.stop()
            #expect(second.status == 0, "\(second.all)")
            #expect(second.stdout.contains("resuming the rollout of checkout@2.14.0 at step 2"), "\(second.all)")
            #expect(!second.stdout.contains("step 1/3"), "\(second.all)")
            #expect(second.stdout.contains("promoted"), "\(second.all)")
            let show = try CLI.run(["ledger", "show", "checkout@2.14.0"], env: env)
            #expect(show.stdout.contains("promote"), "\(show.all)")
        }
    }

    @Test("on a terminal: a live line with the step, the weight, the time left in the bake and the last score")
    func liveView() async throws {
        try await Self.withSetup(canaryErrorRate: 0, bake: "3s") { spec, env, _, port in
            let users = Users(port: port)
            // `script` gives the command a terminal, and keeps what it drew.
            let line = ["rollout", spec, "--policy", env["POLICY"]!].map { "'\($0)'" }.joined(separator: " ")
            let run = try CLI.runProgram(
                "/usr/bin/script", ["-qfec", "\(CLI.binary.path) \(line)", "/dev/null"],
                env: env.merging(["TERM": "xterm"]) { $1 }, timeout: 60)
            _ = await users.stop()
            #expect(run.status == 0, "\(run.all)")
            #expect(run.stdout.contains("step 1/3 · canary at 20 % · "), "\(run.all)")
            #expect(run.stdout.contains("s left in the bake · score 100 (pass): error_rate Pass"), "\(run.all)")
            #expect(run.stdout.contains("\u{1B}[2K"), "the line is redrawn in place")
            #expect(run.stdout.contains("promoted: the canary takes 100 %"), "\(run.all)")
        }
    }

    @Test("a plan that falls short of its risk class's controls does not start (exit 1), and bad steps are exit 2")
    func refusals() throws {
        let folder = try TemporaryFolder("gl-rollout-cli")
        defer { folder.remove() }
        let risky = Self.spec(listen: 1, admin: 2, baseline: 3, canary: 4, bake: "1s")
            .replacingOccurrences(of: "risk: { likelihood: 1, impact: 1 }", with: "risk: { likelihood: 5, impact: 5 }")
        try Data(risky.utf8).write(to: folder.appending("risky.yaml"))
        let policy = try Self.writePolicy(folder)
        let refused = try CLI.run(["rollout", folder.appending("risky.yaml").path, "--policy", policy])
        #expect(refused.status == 1, "\(refused.all)")
        #expect(refused.stderr.contains("the rollout does not start"), "\(refused.all)")
        let fractional = Self.spec(listen: 1, admin: 2, baseline: 3, canary: 4, bake: "1s")
            .replacingOccurrences(of: "steps: [20, 50, 100]", with: "steps: [0.125, 50, 100]")
        try Data(fractional.utf8).write(to: folder.appending("fractional.yaml").path.url)
        let bad = try CLI.run(["rollout", folder.appending("fractional.yaml").path, "--policy", policy])
        #expect(bad.status == 2, "\(bad.all)")
        #expect(bad.stderr.contains("to hundredths, got 0.125"), "\(bad.all)")
    }
}

extension String {
    fileprivate var url: URL { URL(fileURLWithPath: self) }
}
