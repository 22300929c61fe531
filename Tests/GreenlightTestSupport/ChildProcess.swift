import Foundation
import GreenlightCore

#if canImport(Glibc)
import Glibc
#endif

/// A program a test starts: posix_spawn, with signals unblocked and output to a file, reaped by
/// `waitpid` on a thread of its own. (Foundation's `Process` waits for a socket that a daemon such as
/// postgres inherits, so it never sees `pg_ctl start` end.)
public struct ChildProcess: Sendable {
    /// The program's process id.
    public let pid: pid_t
    /// The file that receives its stdout and stderr.
    public let outputPath: String

    /// Starts `executable` with `arguments`; stdin is /dev/null, stdout and stderr go to a file. `environment`
    /// changes or adds variables to this process's.
    public init(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        outputPath =
            FileManager.default.temporaryDirectory.appendingPathComponent(
                "greenlight-test-\(UUID().uuidString).log"
            ).path
        let inherited = ProcessInfo.processInfo.environment
        let variables = environment.isEmpty ? nil : inherited.merging(environment) { $1 }
        switch ProcessSpawn.start(executable, arguments, outputPath: outputPath, environment: variables) {
        case .success(let pid): self.pid = pid
        case .failure(let error):
            unlink(outputPath)
            throw CommandFailure("cannot start \(executable): \(error)")
        }
    }

    /// The exit status once the program ends (`waitpid`'s raw status).
    public func wait() async -> Int32 {
        let pid = pid
        return await withCheckedContinuation { continuation in
            Thread {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) == -1, errno == EINTR {}
                continuation.resume(returning: status)
            }.start()
        }
    }

    /// Kills the program (SIGKILL), reaps it and deletes its output file.
    public func kill() async {
        _ = Glibc.kill(pid, SIGKILL)
        _ = await wait()
        unlink(outputPath)
    }

    /// What the program has printed so far.
    public var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    /// Waits until the program has printed `text`, for up to `seconds`.
    public func waitForOutput(_ text: String, seconds: Double = 20) async throws -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            try await Task.sleep(for: .milliseconds(20))
        }
        return false
    }

    /// Runs a program to completion within `timeout` seconds and returns its output; throws with its
    /// output when it fails.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String], timeout: Double = 60) async throws -> String {
        let child = try ChildProcess(executable, arguments)
        defer { unlink(child.outputPath) }
        let pid = child.pid
        let watchdog = Task {
            try await Task.sleep(for: .seconds(timeout))
            _ = Glibc.kill(pid, SIGKILL)
        }
        let status = await child.wait()
        watchdog.cancel()
        let output = child.output
        let command = ([executable] + arguments).joined(separator: " ")
        guard status & 0x7F == 0 else {
            throw CommandFailure("\(command) was killed (signal \(status & 0x7F)): \(output)")
        }
        guard (status >> 8) & 0xFF == 0 else {
            throw CommandFailure("\(command) exited \((status >> 8) & 0xFF): \(output)")
        }
        return output
    }

    /// Runs `body` with a started program, which is killed and reaped afterwards, whatever happens.
    /// Waits (up to 2 s) until the program has exec'd, since until then /proc shows it under its parent's name.
    public static func with<T>(
        _ executable: String, _ arguments: [String], _ body: (ChildProcess) async throws -> T
    ) async throws -> T {
        let child = try ChildProcess(executable, arguments)
        do {
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
}

/// A program or a test's setup that failed, with what it said.
public struct CommandFailure: Error, CustomStringConvertible {
    /// What went wrong.
    public var description: String

    /// A failure saying `description`.
    public init(_ description: String) { self.description = description }
}
