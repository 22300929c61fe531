import GreenlightCore

/// Samples a process on this host from /proc: CPU from its utime and stime, memory and threads from
/// its status, open files from its fd folder, storage I/O from its io file.
struct ProcessSampler: ResourceSampler {
    let pid: Int32
    let source: String
    /// Said once at the start, such as which of several processes of that name is watched.
    let notes: [String]
    private let startTime: UInt64
    private let ticksPerSecond = ProcessTable.clockTicksPerSecond
    private var previous: (ticks: UInt64, instant: ContinuousClock.Instant)
    private let ioBaseline: (read: Double, write: Double)?
    private var saidFilesUnreadable = false

    /// Finds the process the spec names; throws when there is none.
    init(_ spec: WatchSpec) throws(WatchError) {
        guard ProcessTable.isAvailable else {
            throw WatchError("watching a local process needs /proc (Linux); use watch.prometheus on this system")
        }
        var notes: [String] = []
        let found: (pid: Int32, stat: ProcessTable.Stat)
        let name: String
        if let process = spec.process {
            let matches = ProcessTable.processes(named: process)
            guard let oldest = matches.first else {
                throw WatchError("no process named '\(process)' is running on this host")
            }
            if matches.count > 1 {
                let pids = matches.prefix(5).map { String($0.pid) }.joined(separator: ", ")
                let more = matches.count > 5 ? ", …" : ""
                notes.append(
                    "\(matches.count) processes are named '\(process)' (pids \(pids)\(more)); "
                        + "watching the oldest, pid \(oldest.pid)")
            }
            found = oldest
            name = process
        } else if let pid = spec.pid {
            guard let number = Int32(exactly: pid), let stat = ProcessTable.stat(number) else {
                throw WatchError("no process with pid \(pid) is running on this host")
            }
            guard !stat.hasExited else { throw WatchError("process \(pid) has exited") }
            found = (number, stat)
            name = ProcessTable.comm(number) ?? "?"
        } else {
            throw WatchError("watch names no target: set process, pid or prometheus")
        }
        pid = found.pid
        source = "process \(name) (pid \(found.pid))"
        startTime = found.stat.startTime
        previous = (found.stat.cpuTicks, .now)
        if let io = FileBytes.text("/proc/\(found.pid)/io"), let read = ProcessTable.field("read_bytes", in: io),
            let write = ProcessTable.field("write_bytes", in: io)
        {
            ioBaseline = (read, write)
        } else {
            ioBaseline = nil
            notes.append("cannot read /proc/\(found.pid)/io; read and write bytes are not measured")
        }
        self.notes = notes
    }

    mutating func sample(at t: Double) async -> SampleStep {
        let now = ContinuousClock.now
        // The same pid with another start time is another process: the watched one has gone.
        guard let stat = ProcessTable.stat(pid), !stat.hasExited, stat.startTime == startTime else {
            return SampleStep(problems: ["process \(pid) exited after \(Format.duration(t))"], finished: true)
        }
        var sample = ResourceSample(t: t, threads: Double(stat.threads))
        let elapsed = (now - previous.instant).seconds
        if elapsed >= 0.05, stat.cpuTicks >= previous.ticks {
            sample.cpu = Double(stat.cpuTicks - previous.ticks) / ticksPerSecond / elapsed * 100
            previous = (stat.cpuTicks, now)
        }
        if let status = FileBytes.text("/proc/\(pid)/status") {
            sample.rss = ProcessTable.field("VmRSS", in: status).map { $0 * 1024 }
            sample.threads = ProcessTable.field("Threads", in: status) ?? sample.threads
        }
        if let ioBaseline, let io = FileBytes.text("/proc/\(pid)/io") {
            sample.readBytes = ProcessTable.field("read_bytes", in: io).map { max(0, $0 - ioBaseline.read) }
            sample.writeBytes = ProcessTable.field("write_bytes", in: io).map { max(0, $0 - ioBaseline.write) }
        }
        var problems: [String] = []
        sample.openFiles = ProcessTable.entryCount("/proc/\(pid)/fd").map(Double.init)
        if sample.openFiles == nil, !saidFilesUnreadable {
            saidFilesUnreadable = true
            problems.append("cannot list /proc/\(pid)/fd; open files are not measured")
        }
        return SampleStep(sample: sample, problems: problems)
    }

    func close() async {}
}
