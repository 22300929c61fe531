import Foundation
import GreenlightCore

@testable import GreenlightLoad

#if canImport(Glibc)
import Glibc
#endif

/// Files, specs and child processes for the load-engine tests.
enum LoadFixtures {
    /// A new empty folder under the temporary directory.
    static func makeFolder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "greenlight-load-\(UUID().uuidString)"
        ).path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Writes `bytes` to `name` in a new folder and loads it as the spec's csv or jsonl file.
    static func load(_ bytes: [UInt8], as name: String) throws -> DataRows {
        let folder = try makeFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try Data(bytes).write(to: URL(fileURLWithPath: folder + "/" + name))
        return try DataRows.load(.make(name), directory: folder)
    }

    static func load(_ text: String, as name: String) throws -> DataRows {
        try load(Array(text.utf8), as: name)
    }

    /// The error loading `text` gives, or nil when it loads.
    static func loadError(_ bytes: [UInt8], as name: String) throws -> DataFeedError? {
        do {
            _ = try load(bytes, as: name)
            return nil
        } catch let error as DataFeedError {
            return error
        }
    }

    /// Runs `body` with a child process, which is killed (SIGKILL) and reaped afterwards, whatever happens.
    static func withChild<T>(
        _ executable: String, _ arguments: [String], _ body: (LoadFixtures.ChildProcess) async throws -> T
    ) async throws -> T {
        let child = try LoadFixtures.ChildProcess(executable, arguments)
        do {
            // Until the child has exec'd, /proc shows it under its parent's name: wait (up to 2 s).
            let path = URL(fileURLWithPath: executable).resolvingSymlinksInPath().path
            for _ in 0..<200 {
                if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(child.pid)/exe"),
                    exe == path
                {
                    break
                }
                try await Task.sleep(for: .milliseconds(10))
            }
            let value = try await body(child)
            await child.kill()
            return value
        } catch {
            await child.kill()
            throw error
        }
    }

    /// Waits until the child has printed `text`, for up to `seconds`.
    static func waitForOutput(_ child: LoadFixtures.ChildProcess, _ text: String, seconds: Double = 20)
        async throws -> Bool
    {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if child.output.contains(text) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// The CPU seconds a process has used, from the kernel's CPU-time clock rather than /proc.
    static func cpuSeconds(_ pid: pid_t) -> Double? {
        var clock = clockid_t()
        guard clock_getcpuclockid(pid, &clock) == 0 else { return nil }
        var time = timespec()
        guard clock_gettime(clock, &time) == 0 else { return nil }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}

extension DataFeedSpec {
    /// A data feed of the file `path`: CSV or JSON lines by its extension.
    static func make(_ path: String, mode: Mode = .cyclic) -> DataFeedSpec {
        var spec = DataFeedSpec(reading: ObjectReader(nil, DataFeedSpec.schema))
        if path.hasSuffix(".jsonl") { spec.jsonl = path } else { spec.csv = path }
        spec.mode = mode
        return spec
    }
}

extension WatchSpec {
    static func make(_ configure: (inout WatchSpec) -> Void) -> WatchSpec {
        var spec = WatchSpec(reading: ObjectReader(nil, WatchSpec.schema))
        configure(&spec)
        return spec
    }
}
