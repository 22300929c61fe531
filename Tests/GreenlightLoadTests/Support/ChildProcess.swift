import Foundation

#if canImport(Glibc)
import Glibc
#endif

// A copy of the dependency tests' child process (Tests/GreenlightProbesTests/Dependencies/Support),
// for the process-watch tests; both belong in a shared test kit.
extension LoadFixtures {
    /// Programs the tests start: posix_spawn, with signals unblocked and output to a file, reaped
    /// by `waitpid` on a thread of its own. (Foundation's `Process` waits for a socket that a
    /// daemon such as postgres inherits, so it never sees `pg_ctl start` end.)
    struct ChildProcess: Sendable {
        let pid: pid_t
        let outputPath: String

        /// Starts `executable` with `arguments`; stdin is /dev/null, stdout and stderr go to a file.
        init(_ executable: String, _ arguments: [String]) throws {
            outputPath =
                FileManager.default.temporaryDirectory.appendingPathComponent(
                    "greenlight-test-\(UUID().uuidString).log"
                ).path
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            posix_spawn_file_actions_adddup2(&actions, 1, 2)
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
            var noSignals = sigset_t()
            sigemptyset(&noSignals)
            posix_spawnattr_setsigmask(&attributes, &noSignals)
            var defaults = sigset_t()
            sigfillset(&defaults)
            posix_spawnattr_setsigdefault(&attributes, &defaults)
            let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
            defer { for pointer in argv { free(pointer) } }
            var pid: pid_t = 0
            let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
            guard result == 0 else {
                unlink(outputPath)
                throw CommandFailure(description: "cannot start \(executable): \(String(cString: strerror(result)))")
            }
            self.pid = pid
        }

        /// The exit status once the program ends (`waitpid`'s raw status).
        func wait() async -> Int32 {
            let pid = pid
            return await withCheckedContinuation { continuation in
                Thread {
                    var status: Int32 = 0
                    while waitpid(pid, &status, 0) == -1, errno == EINTR {}
                    continuation.resume(returning: status)
                }.start()
            }
        }

        /// Kills the program and reaps it.
        func kill() async {
            _ = Glibc.kill(pid, SIGKILL)
            _ = await wait()
            unlink(outputPath)
        }

        var output: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }
    }

    struct CommandFailure: Error, CustomStringConvertible {
        var description: String
    }
}
