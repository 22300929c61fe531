import Foundation
import GreenlightCore
import GreenlightProbes

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program (no shell) with a deadline, as the leader of its own process group, its output
/// (stdout and stderr together) in a temporary file of which the tail is kept. The child and the
/// file are registered with ``Leftovers`` while they exist, so an interrupt removes both.
package struct ToolRun: Sendable {
    var executable: String
    var arguments: [String]
    var timeout: Duration
    var outputLimit = 16 << 10

    struct Outcome: Sendable {
        /// The exit code, nil when the program was killed or did not start.
        var exitCode: Int32?
        var timedOut: Bool
        /// The last bytes of what it printed.
        var output: String
        var seconds: Double
        var launchError: String?

        /// The output's lines that are not blank.
        var lines: [String] {
            output.split(separator: "\n").map(String.init).filter { !$0.allSatisfy(\.isWhitespace) }
        }
    }

    func run() async -> Outcome {
        let start = ContinuousClock.now
        let outputPath = FileManager.default.temporaryDirectory.appendingPathComponent(
            "greenlight-tool-\(UUID().uuidString).log"
        ).path
        let file = Leftovers.add { unlink(outputPath) }
        defer {
            unlink(outputPath)
            Leftovers.forget(file)
        }
        let executable = executable
        let arguments = arguments
        let (spawned, group) = Leftovers.track({
            ProcessSpawn.start(executable, arguments, outputPath: outputPath, newProcessGroup: true)
        }) { spawned in
            if case .success(let pid) = spawned { kill(-pid, SIGKILL) }
        }
        defer { Leftovers.forget(group) }
        let pid: pid_t
        switch spawned {
        case .success(let started): pid = started
        case .failure(let error):
            return Outcome(
                exitCode: nil, timedOut: false, output: "", seconds: 0,
                launchError: "cannot start \(executable): \(error)")
        }
        let timeout = timeout
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            kill(-pid, SIGKILL)
            return true
        }
        let status = await ShellCommand.wait(for: pid)
        watchdog.cancel()
        let timedOut = (try? await watchdog.value) == true
        // Whatever the program left running in its group goes too, and its watcher.
        ProcessSpawn.endGroup(pid)
        let elapsed = ContinuousClock.now - start
        let exited = status & 0x7F == 0
        return Outcome(
            exitCode: !timedOut && exited ? (status >> 8) & 0xFF : nil, timedOut: timedOut,
            output: String(decoding: ShellCommand.tail(of: outputPath, bytes: outputLimit), as: UTF8.self),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            launchError: nil)
    }

    /// The absolute path of `name` in the folders of `PATH`, when it is there and executable.
    package static func find(_ name: String, path: String? = ProcessInfo.processInfo.environment["PATH"]) -> String? {
        for folder in (path ?? "").split(separator: ":") where !folder.isEmpty {
            let candidate = (String(folder) as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue,
                access(candidate, X_OK) == 0
            {
                return candidate.hasPrefix("/") ? candidate : FileManager.default.currentDirectoryPath + "/" + candidate
            }
        }
        return nil
    }
}
