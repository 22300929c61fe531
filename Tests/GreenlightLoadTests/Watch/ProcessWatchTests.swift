import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightLoad

#if canImport(Glibc)
import Glibc
#endif

/// The resource watcher on processes the tests start; every child is killed when its test ends.
@Suite("Watching a local process")
struct ProcessWatchTests {
    typealias Fixtures = LoadFixtures

    @Test("a busy loop uses about one core; threads, files and memory are read")
    func busyLoop() async throws {
        try await ChildProcess.with("/bin/sh", ["-c", "while :; do :; done"]) { child in
            let watcher = try ResourceWatcher.start(.make { $0.pid = Int(child.pid) }, interval: .milliseconds(250))
            let start = ContinuousClock.now
            let before = try #require(Fixtures.cpuSeconds(child.pid))
            try await Task.sleep(for: .seconds(2))
            let used = try #require(Fixtures.cpuSeconds(child.pid)) - before
            let share = used / (ContinuousClock.now - start).seconds * 100
            let report = await watcher.stop()
            #expect(report.source == "process sh (pid \(child.pid))")
            #expect(report.problems == [])
            let cpu = try #require(report.cpu)
            // The kernel's own CPU clock for the child is the reference: the machine may be busy.
            #expect(abs(cpu.average - share) <= 15, "watched \(cpu.average) %, the CPU clock says \(share) %")
            #expect(cpu.average >= 50 && cpu.peak <= 130, "\(cpu)")
            #expect(report.samples.count >= 8)
            #expect(report.samples.first?.cpu == nil)
            #expect(report.threads?.peak == 1)
            #expect((report.openFiles?.peak ?? 0) >= 3)
            #expect((report.rss?.peak ?? 0) > 0)
            #expect(report.value(for: .targetCPU) == cpu.average)
        }
    }

    @Test("a process holding 200 MB peaks at 190 MB or more of resident memory")
    func memory() async throws {
        let script = "import time; b = b'x' * (200 << 20); print('ready', flush=True); time.sleep(60)"
        try await ChildProcess.with("/usr/bin/env", ["python3", "-c", script]) { child in
            let watcher = try ResourceWatcher.start(.make { $0.pid = Int(child.pid) }, interval: .milliseconds(200))
            #expect(try await child.waitForOutput("ready"), "\(child.output)")
            try await Task.sleep(for: .milliseconds(500))
            let report = await watcher.stop()
            let peak = try #require(report.value(for: .targetRSS))
            #expect(peak >= Double(190 << 20), "peak RSS \(peak)")
        }
    }

    @Test("bytes written and synced during the watch are counted")
    func writes() async throws {
        let temporary = try TemporaryFolder("greenlight-load")
        defer { temporary.remove() }
        let folder = temporary.path
        let script = """
            import os, time
            while not os.path.exists('\(folder)/go'): time.sleep(0.02)
            with open('\(folder)/out', 'wb') as f:
                for _ in range(20): f.write(b'x' * (1 << 20))
                f.flush(); os.fsync(f.fileno())
            print('written', flush=True)
            time.sleep(60)
            """
        try await ChildProcess.with("/usr/bin/env", ["python3", "-c", script]) { child in
            let watcher = try ResourceWatcher.start(.make { $0.pid = Int(child.pid) }, interval: .milliseconds(200))
            #expect(FileManager.default.createFile(atPath: folder + "/go", contents: nil))
            #expect(try await child.waitForOutput("written"), "\(child.output)")
            try await Task.sleep(for: .milliseconds(300))
            let report = await watcher.stop()
            let readable = FileBytes.text("/proc/\(child.pid)/io") != nil
            try #require(readable, "/proc/\(child.pid)/io cannot be read here")
            let written = try #require(report.value(for: .targetWriteBytes))
            #expect(written >= Double(20 << 20), "write_bytes \(written)")
            #expect(report.value(for: .targetReadBytes) != nil)
        }
    }

    @Test("a process is found by name; of two, the oldest is watched and the choice is said")
    func byName() async throws {
        let temporary = try TemporaryFolder("greenlight-load")
        defer { temporary.remove() }
        let folder = temporary.path
        let name = "glw" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: folder + "/" + name)
        try await ChildProcess.with(folder + "/" + name, ["60"]) { first in
            try await Task.sleep(for: .milliseconds(100))
            try await ChildProcess.with(folder + "/" + name, ["60"]) { second in
                // The second child is listed under its name only once it has exec'd: wait for that.
                for _ in 0..<200 where FileBytes.text("/proc/\(second.pid)/comm")?.hasPrefix(name) != true {
                    try await Task.sleep(for: .milliseconds(10))
                }
                let watcher = try ResourceWatcher.start(.make { $0.process = name }, interval: .milliseconds(200))
                #expect(watcher.source == "process \(name) (pid \(first.pid))")
                let report = await watcher.stop()
                #expect(report.source == "process \(name) (pid \(first.pid))")
                #expect(
                    report.problems == [
                        "2 processes are named '\(name)' (pids \(first.pid), \(second.pid)); watching the oldest, pid \(first.pid)"
                    ])
                #expect(report.samples.count >= 1)
            }
        }
    }

    @Test("a name longer than the kernel keeps is found by argv[0]")
    func longName() async throws {
        let temporary = try TemporaryFolder("greenlight-load")
        defer { temporary.remove() }
        let folder = temporary.path
        let name = "greenlight-watch-" + UUID().uuidString.prefix(8).lowercased()
        try FileManager.default.copyItem(atPath: "/bin/sleep", toPath: folder + "/" + name)
        try await ChildProcess.with(folder + "/" + name, ["60"]) { child in
            // Until the child has exec'd, its argv[0] is the parent's: wait for the new one.
            for _ in 0..<200 where FileBytes.text("/proc/\(child.pid)/cmdline")?.contains(name) != true {
                try await Task.sleep(for: .milliseconds(10))
            }
            let watcher = try ResourceWatcher.start(.make { $0.process = name })
            let report = await watcher.stop()
            #expect(report.source == "process \(name) (pid \(child.pid))")
            #expect(report.problems == [])
        }
    }

    @Test("no such process: the watch does not start")
    func unknown() {
        let name = "greenlight-none-" + UUID().uuidString.prefix(8)
        #expect(throws: WatchError("no process named '\(name)' is running on this host")) {
            try ResourceWatcher.start(.make { $0.process = name })
        }
        #expect(throws: WatchError("no process with pid 99999999 is running on this host")) {
            try ResourceWatcher.start(.make { $0.pid = 99_999_999 })
        }
        #expect(throws: WatchError("watch names no target: set process, pid or prometheus")) {
            try ResourceWatcher.start(.make { _ in })
        }
    }

    @Test("a process that exits mid-watch ends the sampling and says when")
    func exits() async throws {
        try await ChildProcess.with("/bin/sleep", ["60"]) { child in
            let watcher = try ResourceWatcher.start(.make { $0.pid = Int(child.pid) }, interval: .milliseconds(100))
            try await Task.sleep(for: .milliseconds(500))
            // Not reaped yet: a zombie counts as exited.
            kill(child.pid, SIGKILL)
            try await Task.sleep(for: .milliseconds(500))
            let report = await watcher.stop()
            #expect(report.problems.count == 1)
            let problem = try #require(report.problems.first)
            // Under a second: written in milliseconds.
            #expect(problem.hasPrefix("process \(child.pid) exited after "), "\(problem)")
            #expect(problem.hasSuffix(" ms"), "\(problem)")
            let last = try #require(report.samples.last)
            #expect(last.t < 0.8)
            #expect(report.samples.count >= 4)
        }
    }

    @Test("stopping does not wait for the next tick; a last sample is taken")
    func stopsAtOnce() async throws {
        try await ChildProcess.with("/bin/sleep", ["60"]) { child in
            let watcher = try ResourceWatcher.start(.make { $0.pid = Int(child.pid) }, interval: .seconds(30))
            try await Task.sleep(for: .milliseconds(400))
            let start = ContinuousClock.now
            let report = await watcher.stop()
            #expect((ContinuousClock.now - start) < .seconds(1))
            #expect(report.samples.count == 2)
            #expect(report.samples.last?.cpu != nil)
        }
    }
}
