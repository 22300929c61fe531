import Foundation
import GreenlightCore

@testable import GreenlightLoad

#if canImport(Glibc)
import Glibc
import GreenlightTestSupport
#endif

/// Data files, specs and process figures for the load-engine tests.
enum LoadFixtures {
    /// Writes `bytes` to `name` in a new folder and loads it as the spec's csv or jsonl file.
    static func load(_ bytes: [UInt8], as name: String) throws -> DataRows {
        let folder = try TemporaryFolder("greenlight-load")
        defer { folder.remove() }
        try Data(bytes).write(to: folder.appending(name))
        return try DataRows.load(.make(name), directory: folder.path)
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
