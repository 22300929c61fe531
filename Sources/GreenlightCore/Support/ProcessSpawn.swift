import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Starts a program with posix_spawn: stdin from /dev/null (or a given descriptor), stdout and stderr
/// together into a file, signals unblocked and at their defaults (whatever the parent blocked or
/// ignored), optionally as the leader of a new process group so that the whole group can be ended at
/// once. Evidence commands, the demo's staging shop and the test kit's child processes start this way;
/// Foundation's `Process` is not used because it waits on a pipe that a daemon started by the child
/// inherits.
package enum ProcessSpawn {
    /// The new process's pid, or why it could not start. `input` becomes its stdin; `environment`, when
    /// given, replaces this process's.
    package static func start(
        _ executable: String, _ arguments: [String], outputPath: String, newProcessGroup: Bool = false,
        input: Int32? = nil, environment: [String: String]? = nil
    ) -> Result<pid_t, SpawnError> {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let input {
            posix_spawn_file_actions_adddup2(&actions, input, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup { flags |= POSIX_SPAWN_SETPGROUP }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        posix_spawnattr_setpgroup(&attributes, 0)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigfillset(&defaults)
        posix_spawnattr_setsigdefault(&attributes, &defaults)

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result: Int32
        if let environment {
            let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer { for pointer in envp { free(pointer) } }
            result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        } else {
            result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        }
        guard result == 0 else { return .failure(SpawnError(description: String(cString: strerror(result)))) }
        return .success(pid)
    }

    package struct SpawnError: Error, CustomStringConvertible {
        package var description: String
    }
}
