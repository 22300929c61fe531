import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The processes of this host as Linux shows them in /proc.
enum ProcessTable {
    /// The fields of /proc/PID/stat the watcher uses.
    struct Stat: Equatable {
        /// R, S, D, Z (zombie), X (dead) …
        var state: Character
        /// CPU time in user and system mode, in clock ticks.
        var cpuTicks: UInt64
        var threads: Int
        /// When the process started, in clock ticks after boot.
        var startTime: UInt64

        /// Parses the line of /proc/PID/stat. The second field, the command name in parentheses, may
        /// itself hold spaces and parentheses, so the fields are counted from after the last ')'.
        init?(parsing text: String) {
            guard let close = text.lastIndex(of: ")") else { return nil }
            let fields = text[text.index(after: close)...].split(separator: " ")
            // fields[0] is field 3 (state); utime and stime are fields 14 and 15, num_threads 20, starttime 22.
            guard fields.count > 19, let state = fields[0].first, let user = UInt64(fields[11]),
                let system = UInt64(fields[12]), let threads = Int(fields[17]), let start = UInt64(fields[19])
            else { return nil }
            self.state = state
            cpuTicks = user + system
            self.threads = threads
            startTime = start
        }

        var hasExited: Bool { state == "Z" || state == "X" || state == "x" }
    }

    static var isAvailable: Bool { access("/proc/self/stat", R_OK) == 0 }

    static var clockTicksPerSecond: Double {
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        return ticks > 0 ? Double(ticks) : 100
    }

    static func stat(_ pid: Int32) -> Stat? {
        FileBytes.text("/proc/\(pid)/stat").flatMap(Stat.init(parsing:))
    }

    /// The process's name as the kernel keeps it (at most 15 bytes).
    static func comm(_ pid: Int32) -> String? {
        FileBytes.text("/proc/\(pid)/comm").map { $0.trimmingCharacters(in: .newlines) }
    }

    /// The last path component of the process's argv[0], or nil for a kernel thread.
    static func programName(_ pid: Int32) -> String? {
        guard let bytes = try? FileBytes.contents(of: "/proc/\(pid)/cmdline"),
            let first = bytes.split(separator: 0, omittingEmptySubsequences: false).first, !first.isEmpty
        else { return nil }
        let argv0 = String(decoding: first, as: UTF8.self)
        return argv0.split(separator: "/").last.map(String.init)
    }

    /// The value of a `Name: value` line of /proc/PID/status or /proc/PID/io, as a number.
    static func field(_ name: String, in text: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + ":") {
            let value = line.dropFirst(name.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first
            return value.flatMap { Double($0) }
        }
        return nil
    }

    /// The process ids of every process, in no particular order.
    static func allPIDs() -> [Int32] {
        guard let directory = opendir("/proc") else { return [] }
        defer { closedir(directory) }
        var pids: [Int32] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) {
                String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let pid = Int32(name) { pids.append(pid) }
        }
        return pids
    }

    /// The number of entries of a directory other than `.` and `..`, or nil when it cannot be read.
    static func entryCount(_ path: String) -> Int? {
        guard let directory = opendir(path) else { return nil }
        defer { closedir(directory) }
        var count = 0
        while let entry = readdir(directory) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { name in
                name[0] == UInt8(ascii: ".") && (name[1] == 0 || (name[1] == UInt8(ascii: ".") && name[2] == 0))
            }
            if !isDot { count += 1 }
        }
        return count
    }

    /// The running processes called `name`, by their kernel name or the file name of their
    /// argv[0], oldest first; this process is left out.
    static func processes(named name: String) -> [(pid: Int32, stat: Stat)] {
        let me = getpid()
        var found: [(pid: Int32, stat: Stat)] = []
        for pid in allPIDs() where pid != me {
            guard comm(pid) == name || programName(pid) == name, let stat = stat(pid), !stat.hasExited else {
                continue
            }
            found.append((pid, stat))
        }
        return found.sorted { ($0.stat.startTime, $0.pid) < ($1.stat.startTime, $1.pid) }
    }
}
