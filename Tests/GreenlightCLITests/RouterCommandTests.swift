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
        let first = try curl(["-X", "POST", "-d", "{\"weight\": 5}", "http://127.0.0.1:\(admin)/weight"])
        #expect(first.stdout.contains("\"weight\":5"), "\(first.all)")
        // A second router, ad hoc; `router weight` sets both, as behind a load balancer.
        let secondAdmin = Loopback.freePort()
        let second = try ChildProcess(
            CLI.binary.path,
            [
                "router", "--listen", "127.0.0.1:\(Loopback.freePort())", "--baseline",
                "http://127.0.0.1:\(upstream.port)",
                "--canary", "http://127.0.0.1:\(upstream.port)", "--admin-port", "\(secondAdmin)",
            ])
        #expect(try await second.waitForOutput("Ctrl-C stops it", seconds: 30), "\(second.output)")
        let admins = ["--admin", "http://127.0.0.1:\(admin)", "--admin", "http://127.0.0.1:\(secondAdmin)"]
        let both = try CLI.run(["router", "weight", "25"] + admins, env: env)
        #expect(both.status == 0, "\(both.all)")
        let status = try CLI.run(["router", "status"] + admins, env: env)
        #expect(status.stdout.components(separatedBy: "\"weight\":25").count == 3, "\(status.all)")
        kill(second.pid, SIGTERM)
        _ = await second.wait()
        let gone = try CLI.run(["router", "weight", "30"] + admins, env: env)
        #expect(gone.status == 1 && gone.stderr.contains("1 of 2 routers did not take it"), "\(gone.all)")
        #expect(try CLI.run(["router", "drain", "--admin", "http://127.0.0.1:\(admin)"], env: env).status == 0)
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
        #expect(lines.count == 4, "\(show.all)")
        #expect(lines.first?.hasSuffix("weight 0% → 5% by admin-api 127.0.0.1") == true, "\(lines)")
        #expect(lines.dropFirst().first?.hasSuffix("weight 5% → 25% by admin-api 127.0.0.1") == true, "\(lines)")
        #expect(lines.last?.hasSuffix("drain 30% → 0% by admin-api 127.0.0.1") == true, "\(lines)")
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

/// The router's memory with many clients connected and idle.
@Suite("greenlight router holding idle connections", .serialized)
struct RouterIdleConnectionTests {
    static func resident(_ pid: pid_t) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return nil }
        return line.split(separator: " ").compactMap { Int($0) }.first.map { $0 * 1024 }
    }

    static func openFiles(_ pid: pid_t) -> Int {
        (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd").count) ?? 0
    }

    @Test("10,000 idle client connections cost the router under 100 MB of resident memory")
    func tenThousandIdle() async throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        try #require(limit.rlim_cur >= 10_500, "the open-file limit (\(limit.rlim_cur)) is below 10,500")
        let port = Loopback.freePort()
        let router = try ChildProcess(
            CLI.binary.path,
            [
                "router", "--listen", "127.0.0.1:\(port)", "--baseline", "http://127.0.0.1:1", "--canary",
                "http://127.0.0.1:1", "--idle-timeout", "120",
            ])
        #expect(try await router.waitForOutput("Ctrl-C stops it", seconds: 30), "\(router.output)")
        let before = try #require(Self.resident(router.pid))
        var sockets: [Int32] = []
        defer { for fd in sockets { close(fd) } }
        for _ in 0..<10_000 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
            try #require(fd >= 0, "socket: \(String(cString: strerror(errno)))")
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            address.sin_port = UInt16(port).bigEndian
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else {
                close(fd)
                Issue.record("connect \(sockets.count + 1): \(String(cString: strerror(errno)))")
                break
            }
            sockets.append(fd)
        }
        // Wait until the router has accepted them all.
        for _ in 0..<200 where Self.openFiles(router.pid) < 10_000 {
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(Self.openFiles(router.pid) >= 10_000, "the router holds \(Self.openFiles(router.pid)) descriptors")
        let after = try #require(Self.resident(router.pid))
        // What the connections cost. This runs the debug binary, whose own footprint (about 47 MB here,
        // before any connection) is larger than a release build's.
        #expect(
            after - before < 100 << 20,
            "10,000 idle connections took \((after - before) >> 20) MB (\(before >> 20) MB before, \(after >> 20) MB after)"
        )
        kill(router.pid, SIGTERM)
        _ = await router.wait()
    }
}
