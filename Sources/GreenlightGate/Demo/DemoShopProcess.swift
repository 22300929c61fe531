import Foundation
import GreenlightCore
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// DemoShop in a process of its own (`greenlight demo shop --port 0`), so the demo's load test can
/// watch the target's CPU, memory and I/O apart from greenlight's.
///
/// The shop never outlives greenlight. An interrupt kills it (it is registered with ``Leftovers``), and
/// so does greenlight's death by any means, SIGKILL included: the shop's stdin is a pipe whose other
/// end only greenlight holds, and the shop (`--exit-on-stdin-close`) exits when the pipe closes. (A
/// pipe rather than `PR_SET_PDEATHSIG`, which fires when the spawning *thread* ends, and a concurrency
/// thread may end long before the process does.)
final class DemoShopProcess: Sendable {
    let pid: pid_t
    let port: Int
    /// The write end of the shop's stdin; closing it stops the shop.
    private let lifeline: Int32
    private let token: Leftovers.Token
    private let stopped = Mutex(false)

    struct StartError: Error, CustomStringConvertible {
        var description: String
    }

    /// Starts the shop, its output going to `outputPath`, and waits (up to 15 s) for it to say which port
    /// it listens on.
    static func start(executable: String, arguments: [String], outputPath: String) async throws -> DemoShopProcess {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw StartError(description: "DemoShop did not start: no pipe: \(String(cString: strerror(errno)))")
        }
        let (input, lifeline) = (ends[0], ends[1])
        // Neither end goes to another child (the shop gets `input` as its stdin, by dup2).
        _ = fcntl(input, F_SETFD, FD_CLOEXEC)
        _ = fcntl(lifeline, F_SETFD, FD_CLOEXEC)
        let arguments = ["demo", "shop", "--port", "0", "--exit-on-stdin-close"] + arguments
        let (spawned, token) = Leftovers.track({
            ProcessSpawn.start(executable, arguments, outputPath: outputPath, input: input)
        }) { spawned in
            if case .success(let pid) = spawned { end(pid) }
        }
        close(input)
        let pid: pid_t
        switch spawned {
        case .success(let started): pid = started
        case .failure(let error):
            Leftovers.forget(token)
            close(lifeline)
            throw StartError(description: "DemoShop did not start: cannot run \(executable): \(error)")
        }
        let deadline = ContinuousClock.now + .seconds(15)
        var text = ""
        var exited = false
        while ContinuousClock.now < deadline, !exited {
            text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            if let range = text.range(of: "http://127.0.0.1:"),
                let port = Int(text[range.upperBound...].prefix { $0.isNumber })
            {
                return DemoShopProcess(pid: pid, port: port, lifeline: lifeline, token: token)
            }
            var status: Int32 = 0
            exited = waitpid(pid, &status, WNOHANG) == pid
            if !exited { try? await Task.sleep(for: .milliseconds(20)) }
        }
        Leftovers.forget(token)
        close(lifeline)
        if !exited { end(pid) }
        text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? text
        throw StartError(description: "DemoShop did not start: \(text.isEmpty ? "no output" : text)")
    }

    private init(pid: pid_t, port: Int, lifeline: Int32, token: Leftovers.Token) {
        self.pid = pid
        self.port = port
        self.lifeline = lifeline
        self.token = token
    }

    /// Stops the shop at once (SIGKILL: nothing of its state is worth a graceful shutdown) and reaps it.
    func stop() {
        let first = stopped.withLock { stopped in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        Leftovers.forget(token)
        close(lifeline)
        Self.end(pid)
    }

    private static func end(_ pid: pid_t) {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1, errno == EINTR {}
    }
}
