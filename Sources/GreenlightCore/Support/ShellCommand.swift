import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a shell command line with a deadline, as the leader of its own process group so that a
/// timeout ends the command and everything it started. Output (stdout and stderr together) goes
/// to a file, so a chatty command never blocks on a full pipe; the tail is returned.
package struct ShellCommand: Sendable {
    package var command: String
    package var directory: String
    package var timeout: Duration
    package var outputLimit = 4096

    package init(_ command: String, directory: String, timeout: Duration) {
        self.command = command
        self.directory = directory
        self.timeout = timeout
    }

    package struct Outcome: Sendable {
        package var exitCode: Int32?
        package var timedOut: Bool
        /// The last bytes of what the command printed.
        package var output: String
        package var seconds: Double
        package var launchError: String?
    }

    package func run() async -> Outcome {
        let start = ContinuousClock.now
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent(
            "greenlight-cmd-\(UUID().uuidString).log"
        ).path
        // An interrupted run removes the file and ends the command's whole group (see Leftovers).
        let file = Leftovers.add { unlink(outputPath) }
        defer {
            unlink(outputPath)
            Leftovers.forget(file)
        }
        let (spawned, group) = Leftovers.track({ spawn(outputPath: outputPath) }) { spawned in
            if case .success(let pid) = spawned { kill(-pid, SIGKILL) }
        }
        defer { Leftovers.forget(group) }

        let pid: pid_t
        switch spawned {
        case .success(let spawned): pid = spawned
        case .failure(let message):
            return Outcome(exitCode: nil, timedOut: false, output: "", seconds: 0, launchError: message)
        }

        let timeout = self.timeout
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(-pid, SIGKILL)
            return true
        }
        let status = await Self.wait(for: pid)
        watchdog.cancel()
        let timedOut = (try? await watchdog.value) == true
        // Whatever the command left running in its group goes too, and its watcher.
        ProcessSpawn.endGroup(pid)

        let seconds = Self.seconds(ContinuousClock.now - start)
        let tail = Self.tail(of: outputPath, bytes: outputLimit)
        let exited = status & 0x7F == 0
        return Outcome(
            exitCode: !timedOut && exited ? (status >> 8) & 0xFF : nil, timedOut: timedOut,
            output: String(decoding: tail, as: UTF8.self), seconds: seconds, launchError: nil)
    }

    enum Spawned: Sendable {
        case success(pid_t)
        case failure(String)
    }

    /// `/bin/sh -c command` in `directory`, in a new process group, stdin from /dev/null, output to a file.
    private func spawn(outputPath: String) -> Spawned {
        // The shell changes into the folder itself, then runs the command line as written.
        // `ulimit -f` caps what the command may write (in 512-byte blocks: 16 MiB), so a chatty one cannot fill the disk.
        let arguments = [
            "-c", "ulimit -f 32768 2>/dev/null; cd -- \"$1\" || exit 126; eval \"$2\"", "greenlight", directory,
            command,
        ]
        switch ProcessSpawn.start("/bin/sh", arguments, outputPath: outputPath, newProcessGroup: true) {
        case .success(let pid): return .success(pid)
        case .failure(let error): return .failure("cannot start /bin/sh in \(directory): \(error)")
        }
    }

    /// Waits for the process on a thread of its own, so no concurrency thread blocks in waitpid.
    package static func wait(for pid: pid_t) async -> Int32 {
        await withCheckedContinuation { continuation in
            let thread = Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1, errno == EINTR {}
                continuation.resume(returning: status)
            }
            thread.start()
        }
    }

    /// The last `bytes` of a file, read without loading the rest.
    package static func tail(of path: String, bytes: Int) -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else { return Data() }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        try? handle.seek(toOffset: size > UInt64(bytes) ? size - UInt64(bytes) : 0)
        return (try? handle.readToEnd()) ?? Data()
    }

    package static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
