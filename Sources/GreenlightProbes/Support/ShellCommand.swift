import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a shell command line with a deadline, in its own process group so that a timeout ends
/// the command and everything it started. Output (stdout and stderr together) is kept in a file,
/// so a chatty command never blocks on a full pipe; the tail is returned.
public struct ShellCommand: Sendable {
    public var command: String
    public var directory: String
    public var timeout: Duration
    public var outputLimit = 4096

    public init(_ command: String, directory: String, timeout: Duration) {
        self.command = command
        self.directory = directory
        self.timeout = timeout
    }

    public struct Outcome: Sendable {
        public var exitCode: Int32?
        public var timedOut: Bool
        /// The last bytes of what the command printed.
        public var output: String
        public var seconds: Double
        public var launchError: String?
    }

    public func run() async -> Outcome {
        let start = ContinuousClock.now
        let outputURL = FileManager.default.temporaryDirectory.appendingPathComponent("greenlight-cmd-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        defer { try? FileManager.default.removeItem(at: outputURL) }
        guard let handle = try? FileHandle(forWritingTo: outputURL) else {
            return Outcome(exitCode: nil, timedOut: false, output: "", seconds: 0, launchError: "cannot create a temporary file")
        }
        defer { try? handle.close() }

        let process = Process()
        // setsid puts the command in a new session and process group (same pid), so one kill reaches its children.
        let setsid = "/usr/bin/setsid"
        if FileManager.default.isExecutableFile(atPath: setsid) {
            process.executableURL = URL(fileURLWithPath: setsid)
            process.arguments = ["/bin/sh", "-c", command]
        } else {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", command]
        }
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = handle
        process.standardError = handle
        process.standardInput = FileHandle.nullDevice

        let exited = AsyncStream<Int32>.makeStream()
        process.terminationHandler = { p in
            exited.continuation.yield(p.terminationStatus)
            exited.continuation.finish()
        }
        do {
            try process.run()
        } catch {
            return Outcome(exitCode: nil, timedOut: false, output: "", seconds: 0,
                           launchError: "cannot start /bin/sh in \(directory): \(error.localizedDescription)")
        }
        let pid = process.processIdentifier
        let timeout = self.timeout
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            return true
        }
        var status: Int32? = nil
        for await code in exited.stream { status = code }
        watchdog.cancel()
        let timedOut = (try? await watchdog.value) == true
        // Whatever the command left running in its group goes too.
        kill(-pid, SIGKILL)
        let seconds = Self.seconds(ContinuousClock.now - start)
        let data = (try? Data(contentsOf: outputURL)) ?? Data()
        let tail = data.count > outputLimit ? data.suffix(outputLimit) : data
        return Outcome(
            exitCode: timedOut ? nil : status, timedOut: timedOut,
            output: String(decoding: tail, as: UTF8.self), seconds: seconds, launchError: nil)
    }

    static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
