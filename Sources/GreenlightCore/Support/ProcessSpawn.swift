import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Starts a program with posix_spawn: stdin from /dev/null (or a given descriptor), stdout and stderr
/// together into a file, signals unblocked and at their defaults (whatever the parent blocked or
/// ignored), optionally as the leader of a new process group so that the whole group can be ended at
/// once. Evidence commands, log commands, tools, the demo's Alertmanager and the test kit's child
/// processes start this way; Foundation's `Process` is not used because it waits on a pipe that a
/// daemon started by the child inherits.
///
/// A new process group dies with greenlight, even when greenlight is killed with SIGKILL: a watcher
/// joins the group and reads a pipe whose other end only greenlight holds; when that end closes
/// (``endGroup(_:)``, or greenlight's death by any means) the watcher kills the whole group, the
/// program's own children (`sleep 300 &`) with it. (A pipe rather than `PR_SET_PDEATHSIG`, which
/// reaches only the direct child and fires when the spawning *thread* ends.)
package enum ProcessSpawn {
    /// The new process's pid, or why it could not start. `input` becomes its stdin; `environment`, when
    /// given, replaces this process's. With `newProcessGroup` the pid is also the group's id; end the
    /// group with ``endGroup(_:)`` once done with it.
    package static func start(
        _ executable: String, _ arguments: [String], outputPath: String, newProcessGroup: Bool = false,
        input: Int32? = nil, environment: [String: String]? = nil
    ) -> Result<pid_t, SpawnError> {
        let spawned = spawn(
            executable, arguments, outputPath: outputPath, group: newProcessGroup ? 0 : nil, input: input,
            environment: environment)
        if newProcessGroup, case .success(let pid) = spawned { watch(group: pid) }
        return spawned
    }

    /// Kills the process group `pid` leads (SIGKILL) and lets its watcher go. Safe to call more than once.
    package static func endGroup(_ pid: pid_t) {
        kill(-pid, SIGKILL)
        if let lifeline = lifelines.withLock({ $0.removeValue(forKey: pid) }) { close(lifeline) }
    }

    /// The write ends of the watchers' pipes, by the group they watch.
    private static let lifelines = Mutex<[pid_t: Int32]>([:])

    /// Starts the watcher of `group`: a shell in the group that leaves behind a subshell (adopted by init,
    /// which reaps it) blocked on reading the pipe; at its end of file it kills its own group (`kill 0`).
    private static func watch(group: pid_t) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        let (input, lifeline) = (ends[0], ends[1])
        // Neither end goes to another child (the watcher gets `input` as its stdin, by dup2).
        _ = fcntl(input, F_SETFD, FD_CLOEXEC)
        _ = fcntl(lifeline, F_SETFD, FD_CLOEXEC)
        let script = #"exec 3<&0 </dev/null; (read _ <&3; kill -9 0) & exit 0"#
        let spawned = spawn(
            "/bin/sh", ["-c", script, "greenlight-watcher"], outputPath: "/dev/null", group: group, input: input,
            environment: nil)
        close(input)
        guard case .success(let shell) = spawned else {
            // The program ended so fast that its group is gone: nothing to watch.
            close(lifeline)
            return
        }
        var status: Int32 = 0
        while waitpid(shell, &status, 0) == -1, errno == EINTR {}
        lifelines.withLock { $0[group] = lifeline }
    }

    /// posix_spawn with the file actions and attributes above; `group` nil keeps this process's group,
    /// 0 makes a new one, another value joins that group.
    private static func spawn(
        _ executable: String, _ arguments: [String], outputPath: String, group: pid_t?, input: Int32?,
        environment: [String: String]?
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
        if group != nil { flags |= POSIX_SPAWN_SETPGROUP }
        posix_spawnattr_setflags(&attributes, Int16(flags))
        posix_spawnattr_setpgroup(&attributes, group ?? 0)
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
