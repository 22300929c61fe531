import Foundation
import GreenlightTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Ctrl-C, SIGTERM and SIGKILL sent to the binary: children are stopped, temporary files removed, the
/// exit code says which signal came, and `load` still prints its summary and writes its result.
@Suite("Signals", .serialized)
struct SignalTests {
    @Test(
        "SIGINT or SIGTERM during demo: exit 130 or 143, the staging shop stopped, no temporary file left",
        arguments: [SIGINT, SIGTERM])
    func demoInterrupted(signal: Int32) throws {
        let tmp = try TemporaryFolder("gl-signal-tmp")
        defer { tmp.remove() }
        let demo = try ChildProcess(CLI.binary.path, ["demo"], environment: ["TMPDIR": tmp.path])
        defer { Processes.end(demo) }
        let shop = try Processes.runningShop(of: demo, tmp: tmp)
        // The demo's Alertmanager (scripts/test installs one) must go with it too.
        let alertmanagers = Processes.alertmanagers(under: tmp)
        #expect(alertmanagers.count == 1, "no Alertmanager of the demo: \(demo.output)")

        let sent = ContinuousClock.now
        kill(demo.pid, signal)
        let status = Processes.exitStatus(of: demo.pid, within: 10)
        let took = ContinuousClock.now - sent
        #expect(status == .exited(128 + signal), "\(demo.output)")
        #expect(took < .seconds(2), "exited \(took) after the signal")
        #expect(Processes.ended(shop, within: 2), "DemoShop (pid \(shop)) is still running")
        for pid in alertmanagers {
            #expect(Processes.ended(pid, within: 2), "Alertmanager (pid \(pid)) is still running")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == [], "left in TMPDIR")
        #expect(demo.output.contains("greenlight: interrupted (\(signal == SIGINT ? "SIGINT" : "SIGTERM"))"))
    }

    @Test("SIGKILL to demo: the staging shop and Alertmanager die with it")
    func demoKilled() throws {
        let tmp = try TemporaryFolder("gl-signal-tmp")
        defer { tmp.remove() }
        let demo = try ChildProcess(CLI.binary.path, ["demo"], environment: ["TMPDIR": tmp.path])
        defer { Processes.end(demo) }
        let shop = try Processes.runningShop(of: demo, tmp: tmp)
        let alertmanagers = Processes.alertmanagers(under: tmp)
        #expect(alertmanagers.count == 1, "no Alertmanager of the demo: \(demo.output)")

        let sent = ContinuousClock.now
        kill(demo.pid, SIGKILL)
        #expect(Processes.exitStatus(of: demo.pid, within: 5) == .signalled(SIGKILL))
        #expect(Processes.ended(shop, within: 2), "DemoShop (pid \(shop)) outlived its parent")
        for pid in alertmanagers {
            #expect(Processes.ended(pid, within: 2), "Alertmanager (pid \(pid)) outlived the demo")
        }
        #expect(ContinuousClock.now - sent < .seconds(2))
    }

    @Test(
        "SIGINT or SIGTERM during load: the summary, a result marked stopped early, exit 130 or 143",
        arguments: [SIGINT, SIGTERM])
    func loadInterrupted(signal: Int32) async throws {
        let server = try await LoopbackHTTPServer(.ok)
        let folder = try TemporaryFolder("gl-signal")
        defer { folder.remove() }
        let out = folder.appending("load.json")
        let name = signal == SIGINT ? "SIGINT" : "SIGTERM"
        let load = try ChildProcess(
            CLI.binary.path, ["load", "--url", server.url, "--rate", "50", "--duration", "30s", "--out", out.path])
        defer { Processes.end(load) }
        #expect(Processes.poll(within: 10) { server.requestCount >= 10 }, "\(load.output)")

        let sent = ContinuousClock.now
        kill(load.pid, signal)
        let status = Processes.exitStatus(of: load.pid, within: 10)
        let took = ContinuousClock.now - sent
        await server.shutdown()
        #expect(status == .exited(128 + signal), "\(load.output)")
        #expect(took < .seconds(3), "exited \(took) after the signal")
        let output = load.output
        #expect(output.contains("greenlight load: \(name): stopping"), "\(output)")
        #expect(output.contains("requests    "), "no summary: \(output)")
        #expect(output.contains("note        stopped early: interrupted by \(name)"), "\(output)")
        #expect(output.contains("wrote       \(out.path)"), "\(output)")

        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any], "\(output)")
        #expect(object["format"] as? String == "greenlight-load")
        #expect(object["stopped_early"] as? String == "interrupted by \(name)")
        let responses = (object["counters"] as? [String: Any])?["responses"] as? Int ?? 0
        #expect(responses >= 10)
        #expect((object["duration_seconds"] as? Double ?? 30) < 29)
        // greenlight reads it back: merge validates it, keeps the marking, and it has no threshold to fail.
        let merged = try CLI.run(["load", "merge", out.path, "--json"])
        #expect(merged.status == 0, "\(merged.all)")
        #expect(merged.stdout.contains("\"stopped_early\":\"interrupted by \(name)\""), "\(merged.stdout)")
    }

    @Test(
        "SIGTERM during load against a target that refuses every connection: the summary, the result, exit 143, at once"
    )
    func loadRefusedInterrupted() throws {
        let folder = try TemporaryFolder("gl-signal")
        defer { folder.remove() }
        let out = folder.appending("refused.json")
        let load = try ChildProcess(
            CLI.binary.path,
            [
                "load", "--url", "http://127.0.0.1:1/", "--rate", "100", "--connections", "5000", "--duration", "30s",
                "--out", out.path,
            ])
        defer { Processes.end(load) }
        #expect(Processes.poll(within: 10) { load.output.contains("greenlight load: http://127.0.0.1:1") })
        usleep(1_000_000)

        let sent = ContinuousClock.now
        kill(load.pid, SIGTERM)
        let status = Processes.exitStatus(of: load.pid, within: 15)
        let took = ContinuousClock.now - sent
        let output = load.output
        #expect(status == .exited(143), "\(output)")
        #expect(took < .seconds(2), "exited \(took) after the signal")
        #expect(output.contains("note        stopped early: interrupted by SIGTERM"), "\(output)")
        #expect(output.contains("connection refused"), "\(output)")
        #expect(output.contains("wrote       \(out.path)"), "\(output)")
        #expect(!output.contains("Cannot schedule tasks"), "\(output)")
        let object = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any], "\(output)")
        #expect(object["stopped_early"] as? String == "interrupted by SIGTERM")
    }

    @Test("load against a target that refuses every connection ends near its duration, whatever the rate")
    func loadRefusedBounded() throws {
        let sent = ContinuousClock.now
        let load = try ChildProcess(
            CLI.binary.path, ["load", "--url", "http://127.0.0.1:1/", "--rate", "200000", "--duration", "3s"])
        defer { Processes.end(load) }
        let status = Processes.exitStatus(of: load.pid, within: 30)
        let took = ContinuousClock.now - sent
        #expect(status == .exited(1), "\(load.output)")
        #expect(took < .seconds(8), "took \(took) for a 3 s run")
        #expect(load.output.contains("connection refused"), "\(load.output)")
        #expect(!load.output.contains("Cannot schedule tasks"), "\(load.output)")
    }

    @Test("a second Ctrl-C during load exits at once, without waiting for requests in flight")
    func loadInterruptedTwice() async throws {
        // Every answer stalls, so the first Ctrl-C waits for requests in flight (up to --timeout).
        let server = try await LoopbackHTTPServer(.stall(start: 0, end: 120))
        let folder = try TemporaryFolder("gl-signal")
        defer { folder.remove() }
        let out = folder.appending("load.json")
        let load = try ChildProcess(
            CLI.binary.path,
            ["load", "--url", server.url, "--rate", "50", "--duration", "30s", "--timeout", "60s", "--out", out.path])
        defer { Processes.end(load) }
        #expect(Processes.poll(within: 10) { server.requestCount >= 5 }, "\(load.output)")

        kill(load.pid, SIGINT)
        #expect(Processes.poll(within: 5) { load.output.contains("stopping") }, "\(load.output)")
        #expect(Processes.exitStatus(of: load.pid, within: 0.3) == nil, "the first Ctrl-C should wait")
        let sent = ContinuousClock.now
        kill(load.pid, SIGINT)
        let status = Processes.exitStatus(of: load.pid, within: 5)
        let took = ContinuousClock.now - sent
        await server.shutdown()
        #expect(status == .exited(130), "\(load.output)")
        #expect(took < .seconds(1), "exited \(took) after the second Ctrl-C")
        #expect(!FileManager.default.fileExists(atPath: out.path))
    }

    @Test("SIGTERM during check: exit 143, an evidence command's whole process group stopped, its log removed")
    func checkInterrupted() throws {
        let tmp = try TemporaryFolder("gl-signal-tmp")
        defer { tmp.remove() }
        let folder = try TemporaryFolder("gl-signal")
        defer { folder.remove() }
        let spec = try folder.write(
            SpecFixtures.header() + """

                checklist:
                  custom:
                    - id: slow-evidence
                      title: A command that starts another and waits
                      evidence: { command: "sleep 120 & echo $! > sleeper.pid; wait", timeout: 120s }
                """, to: "release.yaml")
        let check = try ChildProcess(CLI.binary.path, ["check", spec.path], environment: ["TMPDIR": tmp.path])
        defer { Processes.end(check) }
        let pidFile = folder.appending("sleeper.pid").path
        #expect(Processes.poll(within: 10) { Processes.pid(in: pidFile) != nil }, "\(check.output)")
        let sleeper = try #require(Processes.pid(in: pidFile))

        kill(check.pid, SIGTERM)
        #expect(Processes.exitStatus(of: check.pid, within: 5) == .exited(143), "\(check.output)")
        #expect(Processes.ended(sleeper, within: 2), "the evidence command's sleep (pid \(sleeper)) is running")
        #expect(try FileManager.default.contentsOfDirectory(atPath: tmp.path) == [], "left in TMPDIR")
    }

    /// The spec sections that run a shell command line for `check` and for `observe`.
    static let commandSections = [
        (
            "check",
            """
            checklist:
              custom:
                - id: slow-evidence
                  title: A command that starts another and waits
                  evidence: { command: "sleep 300 & echo $! > sleeper.pid; wait", timeout: 300s }
            """
        ),
        (
            "observe",
            """
            environments: { staging: { url: "http://127.0.0.1:9" } }
            observability:
              logs: { command: "sleep 300 & echo $! > sleeper.pid; wait" }
            """
        ),
    ]

    @Test(
        "SIGKILL to check or observe: the shell command and what it started in the background die with it",
        arguments: commandSections)
    func commandKilled(command: String, section: String) throws {
        let folder = try TemporaryFolder("gl-signal")
        defer { folder.remove() }
        let spec = try folder.write(SpecFixtures.header() + "\n" + section + "\n", to: "release.yaml")
        let run = try ChildProcess(CLI.binary.path, [command, spec.path])
        defer { Processes.end(run) }
        let pidFile = folder.appending("sleeper.pid").path
        #expect(Processes.poll(within: 20) { Processes.pid(in: pidFile) != nil }, "\(run.output)")
        let sleeper = try #require(Processes.pid(in: pidFile))
        let shells = Processes.children(of: run.pid)
        #expect(!shells.isEmpty, "no shell among \(command)'s children")

        kill(run.pid, SIGKILL)
        #expect(Processes.exitStatus(of: run.pid, within: 5) == .signalled(SIGKILL))
        #expect(Processes.ended(sleeper, within: 3), "the command's sleep (pid \(sleeper)) outlived \(command)")
        for shell in shells {
            #expect(Processes.ended(shell, within: 3), "the command's shell (pid \(shell)) outlived \(command)")
        }
    }
}

/// Processes seen through /proc and waitpid, polled with deadlines. The polling blocks its thread rather
/// than sleeping in a task: tests running alongside may hold every concurrency thread for seconds (with
/// `CLI.run`), which would make a task's measurement of how long the binary took meaningless.
enum Processes {
    enum Status: Equatable {
        case exited(Int32)
        case signalled(Int32)
    }

    /// Polls `condition` every 20 ms until it holds or `seconds` pass.
    static func poll(within seconds: Double, _ condition: () -> Bool) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            usleep(5_000)
        }
        return condition()
    }

    /// How the child `pid` ended, reaping it; nil when it is still running after `seconds`.
    static func exitStatus(of pid: pid_t, within seconds: Double) -> Status? {
        var status: Int32 = 0
        let reaped = poll(within: seconds) { waitpid(pid, &status, WNOHANG) == pid }
        guard reaped else { return nil }
        return status & 0x7F == 0 ? .exited((status >> 8) & 0xFF) : .signalled(status & 0x7F)
    }

    /// Whether `pid` has ended (gone, or a zombie nobody reaps yet) within `seconds`.
    static func ended(_ pid: pid_t, within seconds: Double) -> Bool {
        poll(within: seconds) { !isRunning(pid) }
    }

    static func isRunning(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return false }
        let state = stat[stat.index(after: close)...].split(separator: " ").first
        return state != "Z" && state != "X"
    }

    /// The processes whose parent is `pid`.
    static func children(of pid: pid_t) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let child = pid_t(entry),
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            return fields.count > 1 && pid_t(fields[1]) == pid ? child : nil
        }
    }

    /// The running Alertmanagers whose configuration lies under `tmp` (the demo's, when one is installed).
    static func alertmanagers(under tmp: TemporaryFolder) -> [pid_t] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry in
            guard let pid = pid_t(entry), isRunning(pid) else { return nil }
            let line = commandLine(pid)
            guard let program = line.first, program.hasSuffix("alertmanager") else { return nil }
            return line.contains { $0.hasPrefix("--config.file=\(tmp.path)") } ? pid : nil
        }
    }

    static func commandLine(_ pid: pid_t) -> [String] {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A pid written to `path`, once it is there whole.
    static func pid(in path: String) -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8), text.hasSuffix("\n") else { return nil }
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The staging shop `greenlight demo` started, once the demo has written its spec (both shops are up
    /// and the gate is running).
    static func runningShop(of demo: ChildProcess, tmp: TemporaryFolder) throws -> pid_t {
        let started = poll(within: 30) {
            let folders = (try? FileManager.default.contentsOfDirectory(atPath: tmp.path)) ?? []
            return folders.contains { FileManager.default.fileExists(atPath: tmp.appending($0 + "/release.yaml").path) }
        }
        #expect(started, "the demo did not start: \(demo.output)")
        let shops = children(of: demo.pid).filter { Array(commandLine($0).dropFirst().prefix(2)) == ["demo", "shop"] }
        return try #require(shops.first, "no DemoShop among the demo's children: \(demo.output)")
    }

    /// Kills and reaps `child` if it still runs, and deletes its output file.
    static func end(_ child: ChildProcess) {
        var status: Int32 = 0
        if waitpid(child.pid, &status, WNOHANG) == 0 {
            kill(child.pid, SIGKILL)
            _ = waitpid(child.pid, &status, 0)
        }
        unlink(child.outputPath)
    }
}
